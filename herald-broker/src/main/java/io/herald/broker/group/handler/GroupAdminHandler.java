package io.herald.broker.group.handler;

import io.herald.broker.security.Authorization;
import io.herald.group.GroupCoordinator;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListGroups (v4+ states filter, v5+ types filter), DescribeGroups and DeleteGroups, with Kafka's ACL checks:
 * ListGroups lists every group for CLUSTER DESCRIBE and otherwise only the groups the principal may DESCRIBE;
 * DescribeGroups and DeleteGroups answer GROUP_AUTHORIZATION_FAILED per group without DESCRIBE or DELETE on it.
 *
 * <p>Thread-safe.
 */
public final class GroupAdminHandler {
    private final GroupCoordinator coordinator;
    private final Authorization authorization;

    public GroupAdminHandler(GroupCoordinator coordinator, Authorization authorization) {
        this.coordinator = coordinator;
        this.authorization = authorization;
    }

    /** ListGroups v0 to v5: the states filter from v4 (KIP-518), the types filter from v5 (KIP-848). */
    public ServedApi listGroups() {
        return new ServedApi(ApiKeys.LIST_GROUPS, VersionRange.of(0, 5), request -> {
            ListGroupsRequestData data = ((ListGroupsRequest) request.body()).data();
            short version = request.apiVersion();
            List<String> states = version >= 4 ? data.statesFilter() : List.of();
            List<String> types = version >= 5 ? data.typesFilter() : List.of();
            // CLUSTER DESCRIBE lists every group: Kafka keeps it for compatibility with pre-KIP-430 tools.
            boolean everyGroup = !authorization.enabled() || authorization.cluster(request, AclOperation.DESCRIBE);
            return GroupResponses.answer(coordinator.listGroups(states, types), r -> {
                if (!everyGroup) {
                    r.setGroups(new ArrayList<>(r.groups().stream()
                            .filter(g -> authorization.group(request, AclOperation.DESCRIBE, g.groupId())).toList()));
                }
                return r;
            }, e -> new ListGroupsResponseData().setErrorCode(e.code()));
        });
    }

    /**
     * DescribeGroups v0 to v6: static members from v4, GROUP_ID_NOT_FOUND for unknown groups from v6
     * (KIP-1043). Groups the principal may not DESCRIBE come first, as in KafkaApis; from v3 the operations the
     * principal may perform on each described group when asked (KIP-430).
     */
    public ServedApi describeGroups() {
        return new ServedApi(ApiKeys.DESCRIBE_GROUPS, VersionRange.of(0, 6), request -> {
            var data = ((DescribeGroupsRequest) request.body()).data();
            short version = request.apiVersion();
            List<DescribeGroupsResponseData.DescribedGroup> refused = new ArrayList<>();
            List<CompletableFuture<DescribeGroupsResponseData.DescribedGroup>> results = new ArrayList<>();
            for (String groupId : data.groups()) {
                if (!authorization.group(request, AclOperation.DESCRIBE, groupId)) {
                    refused.add(DescribeGroupsResponse.groupError(groupId, Errors.GROUP_AUTHORIZATION_FAILED));
                    continue;
                }
                results.add(coordinator.describeGroup(groupId, version).handle((g, failure) -> failure == null ? g
                        : new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                                .setErrorCode(GroupResponses.error(failure).code()).setGroupState("")
                                .setProtocolType("").setProtocolData("")));
            }
            boolean withOperations = version >= 3 && data.includeAuthorizedOperations();
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<DescribeGroupsResponseData.DescribedGroup> groups = new ArrayList<>(refused);
                for (var result : results) {
                    var g = result.join();
                    if (withOperations && g.errorCode() == Errors.NONE.code()) {
                        g.setAuthorizedOperations(authorization.authorizedOperations(request, ResourceType.GROUP,
                                g.groupId()));
                    }
                    groups.add(g);
                }
                return new Response.Send(new DescribeGroupsResponseData().setGroups(groups));
            });
        });
    }

    /**
     * DeleteGroups v0 to v2 (v2 is only flexible encoding). Each group is deleted once however often it is named;
     * the groups the principal may not DELETE are answered after the others, as in KafkaApis.
     */
    public ServedApi deleteGroups() {
        return new ServedApi(ApiKeys.DELETE_GROUPS, VersionRange.of(0, 2), request -> {
            var data = ((DeleteGroupsRequest) request.body()).data();
            List<String> refused = new ArrayList<>();
            List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
            for (String groupId : new LinkedHashSet<>(data.groupsNames())) {
                if (!authorization.group(request, AclOperation.DELETE, groupId)) {
                    refused.add(groupId);
                    continue;
                }
                results.add(coordinator.deleteGroup(groupId).handle((r, failure) -> failure == null ? r
                        : new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId)
                                .setErrorCode(GroupResponses.error(failure).code())));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                var collection = new DeleteGroupsResponseData.DeletableGroupResultCollection();
                results.forEach(f -> collection.add(f.join()));
                refused.forEach(groupId -> collection.add(new DeleteGroupsResponseData.DeletableGroupResult()
                        .setGroupId(groupId).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
                return new Response.Send(new DeleteGroupsResponseData().setResults(collection));
            });
        });
    }
}
