package io.herald.metadata.api;

/**
 * Hands out blocks of producer ids (InitProducerId), unique in the cluster, from the metadata log.
 *
 * <p>Thread-safety: as {@link TopicAdmin}.
 */
@FunctionalInterface
public interface ProducerIdSource {
    /** Reserves {@code blockSize} ids for {@code brokerId}; returns the first. */
    long reserveProducerIds(int brokerId, int blockSize);
}
