package io.herald.broker.replica;

import io.herald.common.purgatory.DelayedOperation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A request parked until each of its partitions has an outcome, or its timeout: each partition's condition is
 * checked until it yields an outcome, which is then kept; the request completes when every partition has one,
 * and at the timeout the partitions without one get {@link #timedOut}'s answer.
 *
 * <p>Watch it on {@link #keys()} in a purgatory; whoever changes a partition's condition re-checks its key.
 *
 * <p>Thread-safety: thread-safe; checks and completion are serialized on this object.
 *
 * @param <W> one partition's wait
 * @param <R> one partition's outcome
 */
public abstract class DelayedPartitionOperation<W extends DelayedPartitionOperation.PartitionWait, R>
        extends DelayedOperation {
    /** What one partition of the request waits on. */
    public interface PartitionWait {
        Partition partition();
    }

    private final List<W> waiting;
    private final Map<TopicPartition, R> results = new LinkedHashMap<>();
    private final Consumer<Map<TopicPartition, R>> onDone;

    /**
     * @param onDone receives every waiting partition's outcome, once, on the completing thread
     */
    protected DelayedPartitionOperation(long timeoutMs, List<W> waiting, Consumer<Map<TopicPartition, R>> onDone) {
        super(timeoutMs);
        this.waiting = List.copyOf(waiting);
        this.onDone = onDone;
    }

    /** The partition's outcome if it has one now; empty while it must wait. */
    protected abstract Optional<R> check(W wait);

    /** The outcome of a partition still waiting at the timeout. */
    protected abstract R timedOut(W wait);

    /** The keys to watch. */
    public final List<TopicPartition> keys() {
        return waiting.stream().map(DelayedPartitionOperation::partitionOf).distinct().toList();
    }

    private static TopicPartition partitionOf(PartitionWait wait) {
        return wait.partition().topicPartition();
    }

    @Override
    public final synchronized boolean tryComplete() {
        for (W w : waiting) {
            TopicPartition tp = partitionOf(w);
            if (!results.containsKey(tp)) {
                check(w).ifPresent(outcome -> results.put(tp, outcome));
            }
        }
        return results.size() == keys().size() && forceComplete();
    }

    @Override
    protected final synchronized void onComplete() {
        Map<TopicPartition, R> out = new LinkedHashMap<>();
        for (W w : waiting) {
            TopicPartition tp = partitionOf(w);
            out.put(tp, results.containsKey(tp) ? results.get(tp) : timedOut(w));
        }
        onDone.accept(out);
    }
}
