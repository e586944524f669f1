package io.herald.broker.handler;

import io.herald.metadata.api.ProducerIdSource;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.concurrent.Executor;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers: every call gets a fresh producer id with epoch 0, as Kafka answers
 * a request without a transactional id. Ids come from blocks reserved durably through the controller, so an id
 * is never handed out twice, even across restarts.
 *
 * <p>Transactional producers need the transaction coordinator, which is not built yet; they get
 * {@code COORDINATOR_NOT_AVAILABLE} here, as FindCoordinator does for transaction keys.
 *
 * <p>Thread-safety: {@link #nextProducerId()} is synchronized.
 */
public final class ProducerIdHandler implements ApiHandler {
    static final int BLOCK_SIZE = 1000;

    private final ProducerIdSource producerIds;
    private final int nodeId;
    private final Executor pool;
    private long next;
    private long blockEnd;

    public ProducerIdHandler(ProducerIdSource producerIds, int nodeId, Executor pool) {
        this.producerIds = producerIds;
        this.nodeId = nodeId;
        this.pool = pool;
    }

    /**
     * InitProducerId v0 to v5; v6, still unstable in Kafka, is two-phase commit (KIP-939), for transactional
     * producers only.
     */
    public ServedApi api() {
        return new ServedApi(ApiKeys.INIT_PRODUCER_ID, VersionRange.of(0, 5), this);
    }

    @Override
    public java.util.concurrent.CompletableFuture<io.herald.protocol.Response> handle(
            io.herald.protocol.KafkaRequest request) {
        InitProducerIdRequestData data = ((InitProducerIdRequest) request.body()).data();
        return Requests.onPool(pool, () -> {
            if (data.transactionalId() != null) {
                return new InitProducerIdResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                        .setProducerId(-1).setProducerEpoch((short) -1);
            }
            try {
                return new InitProducerIdResponseData().setErrorCode(Errors.NONE.code())
                        .setProducerId(nextProducerId()).setProducerEpoch((short) 0);
            } catch (RuntimeException e) {
                return new InitProducerIdResponseData().setErrorCode(Requests.error(e).code())
                        .setProducerId(-1).setProducerEpoch((short) -1);
            }
        });
    }

    synchronized long nextProducerId() {
        if (next >= blockEnd) {
            next = producerIds.reserveProducerIds(nodeId, BLOCK_SIZE);
            blockEnd = next + BLOCK_SIZE;
        }
        return next++;
    }
}
