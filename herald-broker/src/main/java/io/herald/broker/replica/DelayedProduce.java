package io.herald.broker.replica;

import io.herald.broker.purgatory.DelayedOperation;
import java.util.LinkedHashMap;
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
public final class DelayedProduce extends DelayedOperation {
    /** One partition of the request: wait until its HW reaches {@code requiredOffset}. */
    public record Waiting(Partition partition, long requiredOffset, int minInsyncReplicas) {}

    private final List<Waiting> waiting;
    private final Map<TopicPartition, Errors> results = new LinkedHashMap<>();
    private final Consumer<Map<TopicPartition, Errors>> onDone;

    /**
     * @param onDone receives every waiting partition's outcome, once, on the completing thread
     */
    public DelayedProduce(long timeoutMs, List<Waiting> waiting, Consumer<Map<TopicPartition, Errors>> onDone) {
        super(timeoutMs);
        this.waiting = List.copyOf(waiting);
        this.onDone = onDone;
    }

    /** The keys to watch. */
    public List<TopicPartition> keys() {
        return waiting.stream().map(w -> w.partition().topicPartition()).distinct().toList();
    }

    @Override
    public synchronized boolean tryComplete() {
        for (Waiting w : waiting) {
            TopicPartition tp = w.partition().topicPartition();
            if (!results.containsKey(tp)) {
                Optional<Errors> outcome = w.partition().checkEnoughReplicasReachOffset(w.requiredOffset(),
                        w.minInsyncReplicas());
                outcome.ifPresent(e -> results.put(tp, e));
            }
        }
        if (results.size() == waiting.stream().map(w -> w.partition().topicPartition()).distinct().count()) {
            return forceComplete();
        }
        return false;
    }

    @Override
    protected synchronized void onComplete() {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        for (Waiting w : waiting) {
            TopicPartition tp = w.partition().topicPartition();
            out.put(tp, results.getOrDefault(tp, Errors.REQUEST_TIMED_OUT));
        }
        onDone.accept(out);
    }
}
