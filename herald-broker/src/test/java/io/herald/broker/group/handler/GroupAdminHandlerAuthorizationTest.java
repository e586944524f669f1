package io.herald.broker.group.handler;

import static io.herald.broker.group.handler.GroupHandlerFixture.ALICE;
import static io.herald.broker.group.handler.GroupHandlerFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.security.Authorization;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ListGroups, DescribeGroups and DeleteGroups with Kafka's ACL rules. */
class GroupAdminHandlerAuthorizationTest {
    private final GroupHandlerFixture f = new GroupHandlerFixture();
    private final GroupAdminHandler handler = new GroupAdminHandler(f.coordinator, f.authorization);

    @BeforeEach
    void groups() {
        f.simpleGroup("g");
        f.simpleGroup("other");
    }

    private List<String> listed() {
        ListGroupsResponseData r = f.answer(handler.listGroups(), ALICE, body(new ListGroupsRequestData(), (short) 5));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        return r.groups().stream().map(g -> g.groupId()).toList();
    }

    @Test
    void listGroupsWithoutClusterDescribeListsOnlyTheGroupsThePrincipalMayDescribe() {
        assertThat(listed()).isEmpty();
        f.grants.allow(ALICE, ResourceType.GROUP, "other", AclOperation.DESCRIBE);
        assertThat(listed()).containsExactly("other");
    }

    @Test
    void listGroupsWithClusterDescribeListsEveryGroup() {
        f.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.DESCRIBE);
        assertThat(listed()).containsExactlyInAnyOrder("g", "other");
    }

    @Test
    void describeGroupsAnswersRefusedGroupsFirstAndTheAuthorizedOperationsOfTheOthers() {
        f.grants.allow(ALICE, ResourceType.GROUP, "other", AclOperation.DESCRIBE, AclOperation.DELETE);
        DescribeGroupsResponseData r = f.answer(handler.describeGroups(), ALICE, body(new DescribeGroupsRequestData()
                .setGroups(List.of("other", "g")).setIncludeAuthorizedOperations(true), (short) 5));
        assertThat(r.groups()).extracting(g -> g.groupId(), g -> g.errorCode()).containsExactly(
                tuple("g", Errors.GROUP_AUTHORIZATION_FAILED.code()), tuple("other", Errors.NONE.code()));
        assertThat(r.groups().get(0).authorizedOperations())
                .isEqualTo(DescribeGroupsResponse.AUTHORIZED_OPERATIONS_OMITTED);
        assertThat(r.groups().get(1).authorizedOperations()).isEqualTo(Utils.to32BitField(Set.of(
                AclOperation.DESCRIBE.code(), AclOperation.DELETE.code())));
    }

    @Test
    void describeGroupsWithoutAnAuthorizerGivesEveryGroupOperation() {
        GroupAdminHandler open = new GroupAdminHandler(f.coordinator, Authorization.ALLOW_ALL);
        DescribeGroupsResponseData r = f.answer(open.describeGroups(), ALICE, body(new DescribeGroupsRequestData()
                .setGroups(List.of("g")).setIncludeAuthorizedOperations(true), (short) 5));
        assertThat(Utils.from32BitField(r.groups().get(0).authorizedOperations())).containsExactlyInAnyOrder(
                AclOperation.READ.code(), AclOperation.DESCRIBE.code(), AclOperation.DELETE.code(),
                AclOperation.DESCRIBE_CONFIGS.code(), AclOperation.ALTER_CONFIGS.code());
    }

    @Test
    void deleteGroupsDeletesEachGroupOnceAndAnswersRefusedGroupsLast() {
        f.grants.allow(ALICE, ResourceType.GROUP, "other", AclOperation.DELETE);
        f.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.DESCRIBE);
        DeleteGroupsResponseData r = f.answer(handler.deleteGroups(), ALICE, body(new DeleteGroupsRequestData()
                .setGroupsNames(List.of("g", "other", "g")), (short) 2));
        assertThat(r.results()).extracting(g -> g.groupId(), g -> g.errorCode()).containsExactly(
                tuple("other", Errors.NONE.code()), tuple("g", Errors.GROUP_AUTHORIZATION_FAILED.code()));
        f.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.DESCRIBE);
        assertThat(listed()).containsExactly("g");
    }
}
