package io.herald.broker.replica;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * An acks=all produce waiting for its partitions' high watermarks: it completes when every partition's HW has
 * reached the end of the records appended to it (each partition then answers NONE, or
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below {@code min.insync.replicas} meanwhile, or
 * NOT_LEADER_OR_FOLLOWER after losing leadership), or at the request timeout, when the partitions still waiting
 * answer REQUEST_TIMED_OUT.
 *
 * <p>Watch it on the partitions' keys in the produce purgatory; the replica manager re-checks those keys when a
 * HW rises or a role changes.
 *
 * <p>Thread-safety: thread-safe; checks are serialized on this object.
 */
public final class DelayedProduce extends DelayedPartitionOperation<DelayedProduce.Waiting, Errors> {
    /** One partition of the request: wait until its HW reaches {@code requiredOffset}. */
    public record Waiting(Partition partition, long requiredOffset, int minInsyncReplicas) implements PartitionWait {}

    /**
     * @param onDone receives every waiting partition's outcome, once, on the completing thread
     */
    public DelayedProduce(long timeoutMs, List<Waiting> waiting, Consumer<Map<TopicPartition, Errors>> onDone) {
        super(timeoutMs, waiting, onDone);
    }

    @Override
    protected Optional<Errors> check(Waiting wait) {
        return wait.partition().checkEnoughReplicasReachOffset(wait.requiredOffset(), wait.minInsyncReplicas());
    }

    @Override
    protected Errors timedOut(Waiting wait) {
        return Errors.REQUEST_TIMED_OUT;
    }
}
