package io.herald.broker.replica;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;

/**
 * A DeleteRecords request waiting for its partitions' low watermarks (Kafka's DelayedDeleteRecords semantics):
 * the leader moved its own log start offset at once, but answers a partition only when the smallest log start
 * offset over the live replicas ({@link Partition#lowWatermarkIfLeader()}) reached the requested offset, so an
 * answered DeleteRecords means every live replica dropped the records. Each partition then answers NONE with
 * that low watermark, or NOT_LEADER_OR_FOLLOWER (low watermark -1) after losing leadership; at the request
 * timeout the partitions still waiting answer REQUEST_TIMED_OUT with the low watermark seen when the request
 * was parked, as Kafka does.
 *
 * <p>Watch it on the partitions' keys in the delete-records purgatory; the replica manager re-checks those keys
 * when a follower reports a new log start offset, a role changes or brokers are fenced or unfenced.
 *
 * <p>Thread-safety: thread-safe; checks are serialized on this object.
 */
public final class DelayedDeleteRecords
        extends DelayedPartitionOperation<DelayedDeleteRecords.Waiting, DelayedDeleteRecords.Outcome> {
    /** The low watermark of a partition that answers with an error (Kafka's INVALID_LOW_WATERMARK). */
    public static final long INVALID_LOW_WATERMARK = -1L;

    /**
     * One partition of the request: wait until its low watermark reaches {@code requiredOffset}.
     *
     * @param lowWatermark the low watermark when the request was parked, answered on timeout
     */
    public record Waiting(Partition partition, long requiredOffset, long lowWatermark) implements PartitionWait {}

    /** A partition's answer. */
    public record Outcome(Errors error, long lowWatermark) {}

    /**
     * @param onDone receives every waiting partition's outcome, once, on the completing thread
     */
    public DelayedDeleteRecords(long timeoutMs, List<Waiting> waiting, Consumer<Map<TopicPartition, Outcome>> onDone) {
        super(timeoutMs, waiting, onDone);
    }

    @Override
    protected Optional<Outcome> check(Waiting wait) {
        long low;
        try {
            low = wait.partition().lowWatermarkIfLeader();
        } catch (NotLeaderOrFollowerException e) {
            return Optional.of(new Outcome(Errors.NOT_LEADER_OR_FOLLOWER, INVALID_LOW_WATERMARK));
        }
        return low >= wait.requiredOffset() ? Optional.of(new Outcome(Errors.NONE, low)) : Optional.empty();
    }

    @Override
    protected Outcome timedOut(Waiting wait) {
        return new Outcome(Errors.REQUEST_TIMED_OUT, wait.lowWatermark());
    }
}
