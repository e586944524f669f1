package io.herald.broker.txn.handler;

import io.herald.broker.security.Authorization;
import io.herald.broker.txn.ProducerIdBlocks;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.transaction.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * InitProducerId. A transactional producer's request goes to the transaction coordinator, which fences the
 * id's previous producer and answers with its producer id and bumped epoch (NOT_COORDINATOR unless this broker
 * coordinates the id). An idempotent producer's request (no transactional id) gets a fresh producer id with epoch
 * 0, as Kafka answers it, from the broker's blocks of ids; that may wait for the controller, so it runs on the
 * request pool.
 *
 * <p>ACLs, as Kafka's KafkaApis checks them: a transactional producer needs WRITE on its transactional id (and
 * TWO_PHASE_COMMIT for a two-phase commit, KIP-939), else TRANSACTIONAL_ID_AUTHORIZATION_FAILED; an idempotent one
 * IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679), else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class InitProducerIdHandler implements ApiHandler {
    private final TransactionCoordinator coordinator;
    private final ProducerIdBlocks producerIds;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public InitProducerIdHandler(TransactionCoordinator coordinator, ProducerIdBlocks producerIds, Executor pool,
                                 Authorization authorization) {
        this.coordinator = coordinator;
        this.producerIds = producerIds;
        this.pool = pool;
        this.authorization = authorization;
    }

    /** InitProducerId v0 to v5; v6, still unstable in Kafka 4.3, is two-phase commit (KIP-939). */
    public ServedApi api() {
        return new ServedApi(ApiKeys.INIT_PRODUCER_ID, VersionRange.of(0, 5), this);
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        InitProducerIdRequestData data = ((InitProducerIdRequest) request.body()).data();
        Errors refused = refusal(request, data);
        if (refused != Errors.NONE) {
            return CompletableFuture.completedFuture(Authorization.refusal(request, refused.exception()));
        }
        if (data.transactionalId() != null) {
            return coordinator.initProducerId(data, request.apiVersion()).thenApply(Response.Send::new);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new Response.Send(new InitProducerIdResponseData().setErrorCode(Errors.NONE.code())
                        .setProducerId(producerIds.awaitProducerId()).setProducerEpoch((short) 0));
            } catch (RuntimeException e) {
                return new Response.Send(new InitProducerIdResponseData()
                        .setErrorCode(Errors.forException(e).code()).setProducerId(-1).setProducerEpoch((short) -1));
            }
        }, pool);
    }

    private Errors refusal(KafkaRequest request, InitProducerIdRequestData data) {
        String transactionalId = data.transactionalId();
        if (transactionalId != null) {
            return authorization.transactionalId(request, AclOperation.WRITE, transactionalId)
                    && (!data.enable2Pc()
                    || authorization.transactionalId(request, AclOperation.TWO_PHASE_COMMIT, transactionalId))
                    ? Errors.NONE : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        return authorization.cluster(request, AclOperation.IDEMPOTENT_WRITE)
                || authorization.anyOf(request, AclOperation.WRITE, ResourceType.TOPIC)
                ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
    }
}
