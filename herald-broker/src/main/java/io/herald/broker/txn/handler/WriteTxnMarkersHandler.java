package io.herald.broker.txn.handler;

import io.herald.broker.security.Authorization;
import io.herald.broker.txn.MarkerWriter;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * WriteTxnMarkers, from a transaction coordinator to the leaders of its transaction's partitions: each entry's
 * marker is written to each of its partitions led here ({@link MarkerWriter}), and the answer, per producer id and
 * partition, comes once every marker is replicated or has failed. The appends touch the disk, so they run on the
 * request pool.
 *
 * <p>ACLs, as Kafka's KafkaApis checks them: ALTER or CLUSTER_ACTION on the cluster (what coordinators' brokers have),
 * else CLUSTER_AUTHORIZATION_FAILED for every partition of every marker, and nothing is written.
 */
public final class WriteTxnMarkersHandler {
    private final MarkerWriter writer;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public WriteTxnMarkersHandler(MarkerWriter writer, Executor pool, Authorization authorization) {
        this.writer = writer;
        this.pool = pool;
        this.authorization = authorization;
    }

    /** WriteTxnMarkers v1 (Kafka 4's oldest) and v2, which adds each marker's transaction version. */
    public ServedApi api() {
        return new ServedApi(ApiKeys.WRITE_TXN_MARKERS, VersionRange.of(1, 2), request -> {
            if (!authorization.cluster(request, AclOperation.ALTER)
                    && !authorization.cluster(request, AclOperation.CLUSTER_ACTION)) {
                return CompletableFuture.completedFuture(Authorization.refusal(request,
                        Authorization.clusterDenied(request, AclOperation.CLUSTER_ACTION)));
            }
            List<TxnMarkerEntry> entries = ((WriteTxnMarkersRequest) request.body()).markers();
            return CompletableFuture.supplyAsync(() -> {
                List<CompletableFuture<Map<TopicPartition, Errors>>> writes = new ArrayList<>();
                entries.forEach(entry -> writes.add(writer.write(entry)));
                return writes;
            }, pool).thenCompose(writes -> CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .thenApply(done -> {
                        Map<Long, Map<TopicPartition, Errors>> errors = new HashMap<>();
                        for (int i = 0; i < entries.size(); i++) {
                            errors.computeIfAbsent(entries.get(i).producerId(), id -> new HashMap<>())
                                    .putAll(writes.get(i).join());
                        }
                        return new Response.Send(new WriteTxnMarkersResponse(errors).data());
                    }));
        });
    }
}
