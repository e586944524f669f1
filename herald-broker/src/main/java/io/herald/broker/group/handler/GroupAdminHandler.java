package io.herald.broker.group.handler;

import io.herald.group.GroupCoordinator;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;

/** ListGroups (v4+ states filter, v5+ types filter), DescribeGroups and DeleteGroups. */
public final class GroupAdminHandler {
    private final GroupCoordinator coordinator;

    public GroupAdminHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    public ApiHandler listGroups() {
        return request -> {
            ListGroupsRequestData data = ((ListGroupsRequest) request.body()).data();
            short version = request.apiVersion();
            List<String> states = version >= 4 ? data.statesFilter() : List.of();
            List<String> types = version >= 5 ? data.typesFilter() : List.of();
            return GroupResponses.answer(coordinator.listGroups(states, types), r -> r,
                    e -> new ListGroupsResponseData().setErrorCode(e.code()));
        };
    }

    public ApiHandler describeGroups() {
        return request -> {
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
        };
    }

    public ApiHandler deleteGroups() {
        return request -> {
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
        };
    }
}
