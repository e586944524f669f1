package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;

/** ListGroups (v4+ states filter, v5+ types filter), DescribeGroups and DeleteGroups. */
public final class GroupAdminHandler {
    private final GroupCoordinator coordinator;

    public GroupAdminHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** ListGroups v0 to v5: the states filter from v4 (KIP-518), the types filter from v5 (KIP-848). */
    public ServedApi listGroups() {
        return new ServedApi(ApiKeys.LIST_GROUPS, VersionRange.of(0, 5), request -> {
            ListGroupsRequestData data = ((ListGroupsRequest) request.body()).data();
            short version = request.apiVersion();
            List<String> states = version >= 4 ? data.statesFilter() : List.of();
            List<String> types = version >= 5 ? data.typesFilter() : List.of();
            return GroupResponses.answer(coordinator.listGroups(states, types), r -> r,
                    e -> new ListGroupsResponseData().setErrorCode(e.code()));
        });
    }

    /**
     * DescribeGroups v0 to v6: static members from v4, GROUP_ID_NOT_FOUND for unknown groups from v6
     * (KIP-1043). Authorized operations (v3+) are not computed: there is no authorizer yet.
     */
    public ServedApi describeGroups() {
        return new ServedApi(ApiKeys.DESCRIBE_GROUPS, VersionRange.of(0, 6), request -> {
            var data = ((DescribeGroupsRequest) request.body()).data();
            short version = request.apiVersion();
            List<CompletableFuture<DescribeGroupsResponseData.DescribedGroup>> results = new ArrayList<>();
            for (String groupId : data.groups()) {
                results.add(coordinator.describeGroup(groupId, version).handle((g, failure) -> failure == null ? g
                        : new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
                                .setErrorCode(GroupResponses.error(failure).code()).setGroupState("")
                                .setProtocolType("").setProtocolData("")));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v ->
                    new Response.Send(new DescribeGroupsResponseData().setGroups(
                            new ArrayList<>(results.stream().map(CompletableFuture::join).toList()))));
        });
    }

    /** DeleteGroups v0 to v2 (v2 is only flexible encoding). */
    public ServedApi deleteGroups() {
        return new ServedApi(ApiKeys.DELETE_GROUPS, VersionRange.of(0, 2), request -> {
            var data = ((DeleteGroupsRequest) request.body()).data();
            List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
            for (String groupId : data.groupsNames()) {
                results.add(coordinator.deleteGroup(groupId).handle((r, failure) -> failure == null ? r
                        : new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId)
                                .setErrorCode(GroupResponses.error(failure).code())));
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
                var collection = new DeleteGroupsResponseData.DeletableGroupResultCollection();
                results.forEach(f -> collection.add(f.join()));
                return new Response.Send(new DeleteGroupsResponseData().setResults(collection));
            });
        });
    }
}
