package io.herald.transaction;

/**
 * Hands out producer ids that no other producer of the cluster has (the broker's, from blocks reserved durably
 * through the controller). Called on the coordinator's loop, so it must be cheap: the broker prefetches blocks.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
@FunctionalInterface
public interface ProducerIdGenerator {
    /**
     * @throws org.apache.kafka.common.errors.ApiException when no id can be had now (COORDINATOR_LOAD_IN_PROGRESS
     *     while a block is being fetched, ...): the request is answered with that error and changes nothing
     */
    long generateProducerId();
}
