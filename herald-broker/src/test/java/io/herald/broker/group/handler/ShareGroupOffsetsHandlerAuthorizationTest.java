package io.herald.broker.group.handler;

import static io.herald.broker.group.handler.GroupHandlerFixture.ADMIN;
import static io.herald.broker.group.handler.GroupHandlerFixture.ALICE;
import static io.herald.broker.group.handler.GroupHandlerFixture.ORDERS_ID;
import static io.herald.broker.group.handler.GroupHandlerFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.group.share.PartitionEndOffsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DescribeShareGroupOffsets (group and topic DESCRIBE), AlterShareGroupOffsets (group and topic READ) and
 * DeleteShareGroupOffsets (group DELETE, topic READ), with the errors where KafkaApis puts them.
 */
class ShareGroupOffsetsHandlerAuthorizationTest {
    private static final PartitionEndOffsets NO_END_OFFSETS = partitions -> {
        Map<TopicPartition, PartitionEndOffsets.EndOffset> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, new PartitionEndOffsets.EndOffset(Errors.NOT_LEADER_OR_FOLLOWER, -1)));
        return CompletableFuture.completedFuture(out);
    };

    private final GroupHandlerFixture f = new GroupHandlerFixture();
    private final ShareGroupOffsetsHandler handler = new ShareGroupOffsetsHandler(f.coordinator, () -> f.image,
            NO_END_OFFSETS, f.authorization);

    @BeforeEach
    void adminStartsTheGroupAtOffset3OfBothTopics() {
        f.grants.allow(ADMIN, ResourceType.GROUP, "sg", AclOperation.READ);
        for (String topic : List.of("orders", "secret")) {
            f.grants.allow(ADMIN, ResourceType.TOPIC, topic, AclOperation.READ);
        }
        AlterShareGroupOffsetsResponseData r = f.answer(handler.alterOffsets(), ADMIN, body(alter(), (short) 0));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.responses()).allSatisfy(t -> assertThat(t.partitions())
                .allSatisfy(p -> assertThat(p.errorCode()).isEqualTo(Errors.NONE.code())));
    }

    private static AlterShareGroupOffsetsRequestData alter() {
        var topics = new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopicCollection();
        for (String topic : List.of("secret", "orders")) {
            var t = new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName(topic);
            t.partitions().add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                    .setPartitionIndex(0).setStartOffset(3));
            topics.add(t);
        }
        return new AlterShareGroupOffsetsRequestData().setGroupId("sg").setTopics(topics);
    }

    private DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup describe(
            List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> topics) {
        DescribeShareGroupOffsetsResponseData r = f.answer(handler.describeOffsets(), ALICE, body(
                new DescribeShareGroupOffsetsRequestData().setGroups(List.of(new DescribeShareGroupOffsetsRequestData
                        .DescribeShareGroupOffsetsRequestGroup().setGroupId("sg").setTopics(topics))), (short) 1));
        return r.groups().get(0);
    }

    private static List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> named() {
        return List.of(
                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic().setTopicName("secret")
                        .setPartitions(List.of(0)),
                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic().setTopicName("orders")
                        .setPartitions(List.of(0)));
    }

    @Test
    void describeOffsetsWithoutGroupDescribeFailsTheGroup() {
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        var group = describe(named());
        assertThat(group.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(group.topics()).isEmpty();
    }

    @Test
    void describeOffsetsAnswersTopicAuthorizationFailedForNamedTopicsAfterTheOthers() {
        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        var group = describe(named());
        assertThat(group.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(group.topics()).extracting(t -> t.topicName(), t -> t.topicId(),
                t -> t.partitions().get(0).errorCode(), t -> t.partitions().get(0).startOffset()).containsExactly(
                tuple("orders", ORDERS_ID, Errors.NONE.code(), 3L),
                tuple("secret", Uuid.ZERO_UUID, Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1L));
    }

    @Test
    void describeOffsetsOfAllTopicsLeavesOutTopicsThePrincipalMayNotDescribe() {
        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        var group = describe(null);
        assertThat(group.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(group.topics()).extracting(t -> t.topicName()).containsExactly("orders");
    }

    @Test
    void alterOffsetsNeedsGroupReadAndTopicRead() {
        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.ALTER, AclOperation.DESCRIBE);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);
        AlterShareGroupOffsetsResponseData refused = f.answer(handler.alterOffsets(), ALICE, body(alter(), (short) 0));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(refused.errorMessage()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.message());
        assertThat(refused.responses()).isEmpty();

        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.READ);
        AlterShareGroupOffsetsResponseData r = f.answer(handler.alterOffsets(), ALICE, body(alter(), (short) 0));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.responses()).extracting(t -> t.topicName(), t -> t.partitions().get(0).errorCode())
                .containsExactly(tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                        tuple("orders", Errors.NONE.code()));
        assertThat(r.responses().find("secret").topicId()).isEqualTo(GroupHandlerFixture.SECRET_ID);
    }

    private static DeleteShareGroupOffsetsRequestData delete() {
        return new DeleteShareGroupOffsetsRequestData().setGroupId("sg").setTopics(List.of(
                new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName("orders"),
                new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName("secret")));
    }

    @Test
    void deleteOffsetsNeedsGroupDeleteAndTopicReadAndAnswersRefusedTopicsFirst() {
        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.READ);
        f.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ);
        DeleteShareGroupOffsetsResponseData refused = f.answer(handler.deleteOffsets(), ALICE,
                body(delete(), (short) 0));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(refused.responses()).isEmpty();

        f.grants.allow(ALICE, ResourceType.GROUP, "sg", AclOperation.DELETE);
        DeleteShareGroupOffsetsResponseData r = f.answer(handler.deleteOffsets(), ALICE, body(delete(), (short) 0));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.responses()).extracting(t -> t.topicName(), t -> t.errorCode()).containsExactly(
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()), tuple("orders", Errors.NONE.code()));
        assertThat(r.responses().get(0).errorMessage()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.message());
    }
}
