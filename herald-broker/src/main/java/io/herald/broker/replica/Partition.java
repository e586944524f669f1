package io.herald.broker.replica;

import io.herald.common.time.Time;
import io.herald.common.txn.VerificationGuard;
import io.herald.metadata.image.PartitionImage;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.txn.AbortedTransaction;
import io.herald.storage.txn.TransactionMarker;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A partition replica hosted by this broker: its log, its role (leader or follower) in the current leader epoch,
 * and, as leader, the followers' progress, the in-sync replica set (ISR) and the high watermark (HW). This class
 * is the facade the replica manager, the handlers and the fetchers use; the work is done by:
 * <ul>
 *   <li>{@link IsrManager}: the leader/ISR state, the leader's view of its followers ({@link FollowerTracker})
 *       and the ISR changes sent to the controller;</li>
 *   <li>{@link LeaderSide}: appends, reads, follower fetches and the HW as leader, with {@link HighWatermark}
 *       (raising the HW, completing those waiting for it);</li>
 *   <li>{@link FollowerSide}: appends, truncation, HW and log start offset as a follower;</li>
 *   <li>{@link EpochValidator}: leader epoch checks and divergence (KIP-320).</li>
 * </ul>
 *
 * <p>Leader invariants (Kafka's): HW = the smallest log end offset over the maximal ISR
 * ({@link PartitionState#maximalIsr}); the HW never moves back. A new leader knows no follower offsets, so its HW
 * only moves once the ISR's followers have fetched. Follower: the log is written by the replica fetcher only;
 * its HW is min(leader's HW, own log end offset).
 *
 * <p>Thread-safety: thread-safe. A read-write lock orders role changes and ISR state changes (write) against
 * appends, follower fetches and follower writes (read), so nothing is appended under an epoch this replica has
 * left. The HW is only ever raised under the {@link HighWatermark}'s monitor. Callbacks (HW listener, ISR
 * requests to the controller) run after the locks are released.
 */
public final class Partition {
    /**
     * What a partition needs from its replica manager.
     *
     * @param onHighWatermark told (outside any partition lock) after the HW rose, or after a role change, so
     *                        parked produce and fetch requests are re-checked
     * @param callbacks       where AlterPartition answers are handled (never the controller's thread)
     * @param brokerAlive     whether a broker is registered and unfenced: only followers on live brokers count
     *                        for the low watermark, as in Kafka
     * @param replicaOffline  whether a follower's replica is offline in the metadata image (see {@link ReplicaOffline})
     * @param onLowWatermark  told (outside any partition lock) when a follower reported a new log start offset or
     *                        this leader moved its own, so parked DeleteRecords requests are re-checked
     */
    public record Context(int localBrokerId, Time time, ReplicationConfig config, AlterPartitionChannel alterPartition,
                          Executor callbacks, Consumer<TopicPartition> onHighWatermark, IntPredicate brokerAlive,
                          Consumer<TopicPartition> onLowWatermark, ReplicaOffline replicaOffline) {

        /** A context in which no replica is ever reported offline. */
        public Context(int localBrokerId, Time time, ReplicationConfig config, AlterPartitionChannel alterPartition,
                       Executor callbacks, Consumer<TopicPartition> onHighWatermark, IntPredicate brokerAlive,
                       Consumer<TopicPartition> onLowWatermark) {
            this(localBrokerId, time, config, alterPartition, callbacks, onHighWatermark, brokerAlive, onLowWatermark,
                    (brokerId, topicId, partition) -> false);
        }
    }

    /**
     * Whether a broker reported its replica of a partition offline (its log dir failed, KIP-858), as the current
     * metadata image says: such a follower is not proposed for the ISR, which the controller would refuse.
     */
    @FunctionalInterface
    public interface ReplicaOffline {
        boolean test(int brokerId, Uuid topicId, int partition);
    }

    /**
     * What DeleteRecords did on the leader: the offset it asked for ({@code -1} resolved to the HW) and the low
     * watermark right after. The request is done for this partition once the low watermark reaches the offset.
     */
    public record DeleteRecordsResult(long requestedOffset, long lowWatermark) {}

    /** A follower fetch answered by this leader: the bytes, or where the follower's log diverges from ours. */
    public record FollowerFetch(LogReadResult read, Optional<EpochEndOffset> divergingEpoch, long highWatermark) {}

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final Context ctx;
    private final IsrManager isr;
    private final HighWatermark highWatermark;
    private final FollowerSide follower;
    private final EpochValidator epochs;
    private final LeaderSide leader;

    public Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, Context ctx) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.ctx = ctx;
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        this.isr = new IsrManager(topicPartition, topicId, log, ctx, lock, () -> {
            maybeIncrementHighWatermark();
            ctx.onHighWatermark().accept(topicPartition);
        });
        this.follower = new FollowerSide(topicPartition, log, ctx.localBrokerId(), lock, isr::state);
        this.epochs = new EpochValidator(topicPartition, log, isr::state);
        this.highWatermark = new HighWatermark(topicPartition, log);
        this.leader = new LeaderSide(topicPartition, log, ctx, lock, isr, highWatermark, epochs);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return isr.state().leaderEpoch();
    }

    public int leaderId() {
        return isr.state().leaderId();
    }

    public int partitionEpoch() {
        return isr.state().partitionEpoch();
    }

    public List<Integer> replicas() {
        return isr.state().replicas();
    }

    /** The committed ISR (as the controller last confirmed it). */
    public List<Integer> isr() {
        return isr.state().isr();
    }

    /** The ISR the HW is computed over: the committed one plus a replica being added. */
    public List<Integer> maximalIsr() {
        return isr.state().maximalIsr();
    }

    /** Whether an ISR change is waiting for the controller's answer. */
    public boolean hasPendingIsrChange() {
        return isr.state().pending().isPresent();
    }

    public boolean isLeader() {
        return isr.isLeader();
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /** Leader only: a follower's last reported log end offset, or -1 when unknown. */
    public long followerLogEndOffset(int brokerId) {
        return isr.followers().logEndOffset(brokerId);
    }

    // ---- role changes (metadata thread) ----

    /**
     * Applies an image in which this broker leads (see {@link IsrManager#becomeLeader}).
     *
     * @return true if this call made the replica leader of a new epoch
     */
    boolean makeLeader(PartitionImage image) {
        IsrManager.LeaderChange change = isr.becomeLeader(image);
        if (change == IsrManager.LeaderChange.IGNORED) {
            return false;
        }
        maybeIncrementHighWatermark();
        ctx.onHighWatermark().accept(topicPartition);
        return change == IsrManager.LeaderChange.NEW_EPOCH;
    }

    /**
     * Applies an image in which another broker (or nobody, leader -1) leads. Older images are ignored.
     *
     * @return true if this replica was leader before (it resigned)
     */
    boolean makeFollower(PartitionImage image) {
        boolean resigned = isr.becomeFollower(image);
        if (resigned) {
            highWatermark.failAll(new NotLeaderOrFollowerException("Leadership of " + topicPartition
                    + " moved to broker " + image.leader()));
            ctx.onHighWatermark().accept(topicPartition);
        }
        return resigned;
    }

    /**
     * The partition is gone from this broker (topic deleted or replica moved away).
     *
     * @return true if it was leader
     */
    boolean markRemoved() {
        boolean wasLeader = isr.remove();
        highWatermark.failAll(new NotLeaderOrFollowerException(topicPartition + " is no longer hosted here"));
        ctx.onHighWatermark().accept(topicPartition);
        return wasLeader;
    }

    // ---- leader (see LeaderSide) ----

    /**
     * Appends a coordinator's records as leader with acks=1 semantics, then advances the HW as far as the ISR
     * allows. Kafka's COORDINATOR origin: a transactional batch (a TxnOffsetCommit's offsets) gets its producer
     * epoch checked but no sequence checks, since the coordinator writes on the producer's behalf. A batch that
     * starts the producer's transaction needs {@code verification} (see {@link #maybeStartTransactionVerification});
     * {@link VerificationGuard#SENTINEL} is enough for everything else.
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     */
    public LogAppendInfo appendAsCoordinator(MemoryRecords records, VerificationGuard verification) {
        return leader.appendAsCoordinator(records, verification);
    }

    /**
     * Appends a produce request's records as leader, then advances the HW. With {@code requiredAcks == -1} the
     * append is refused when the committed ISR is smaller than the effective {@code min.insync.replicas} (capped
     * at the replication factor, as Kafka does).
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     * @throws NotEnoughReplicasException   acks=all and too few in-sync replicas
     */
    public LogAppendInfo appendRecordsToLeader(MemoryRecords records, int requiredAcks, int minInsyncReplicas) {
        return leader.append(records, requiredAcks, minInsyncReplicas, Optional.empty());
    }

    /**
     * As {@link #appendRecordsToLeader(MemoryRecords, int, int)}, for a producer's batch that delayed delivery took
     * records out of: it keeps the producer's offset range and sequences and may hold fewer records than offsets
     * ({@link PartitionLog#appendGappedAsLeader}); a transactional one is checked against its
     * {@code verification}, if any, as {@link #appendRecordsToLeader(MemoryRecords, int, int, VerificationGuard)}
     * checks it.
     */
    public LogAppendInfo appendGappedToLeader(MemoryRecords records, int requiredAcks, int minInsyncReplicas,
                                              Optional<VerificationGuard> verification) {
        return leader.appendGapped(records, requiredAcks, minInsyncReplicas, verification);
    }

    /**
     * A produce of transactional batches whose transaction was verified (KIP-890): as
     * {@link #appendRecordsToLeader(MemoryRecords, int, int)}, and a batch that starts the producer's transaction is
     * refused (INVALID_TXN_STATE) unless {@code verification} is still the log's guard for the producer.
     */
    public LogAppendInfo appendRecordsToLeader(MemoryRecords records, int requiredAcks, int minInsyncReplicas,
                                               VerificationGuard verification) {
        return leader.append(records, requiredAcks, minInsyncReplicas, Optional.of(verification));
    }

    /**
     * Starts verifying the producer's transaction here, before the coordinator is asked:
     * {@link VerificationGuard#SENTINEL} when the producer's transaction is ongoing here at that epoch (nothing to
     * verify), else a guard for the append that an end marker written meanwhile invalidates.
     */
    public VerificationGuard maybeStartTransactionVerification(long producerId, short producerEpoch) {
        return log.maybeStartTransactionVerification(producerId, producerEpoch);
    }

    /**
     * Appends a transaction marker as leader (WriteTxnMarkers), refused as an acks=all append when the ISR is
     * smaller than {@code min.insync.replicas}; the caller waits for the HW to pass it.
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     * @throws NotEnoughReplicasException   too few in-sync replicas
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException a newer coordinator epoch wrote
     *         this producer's last marker
     */
    public LogAppendInfo appendTransactionMarkerToLeader(TransactionMarker marker, int minInsyncReplicas) {
        return leader.appendMarker(marker, minInsyncReplicas);
    }

    /**
     * Whether an acks=all append ending before {@code requiredOffset} is done: {@link Errors#NONE} once the HW
     * reached it with enough replicas in the maximal ISR, {@link Errors#NOT_ENOUGH_REPLICAS_AFTER_APPEND} when it
     * reached it with too few (the ISR shrank meanwhile), {@link Errors#NOT_LEADER_OR_FOLLOWER} after losing
     * leadership, empty while still waiting.
     */
    public Optional<Errors> checkEnoughReplicasReachOffset(long requiredOffset, int minInsyncReplicas) {
        return leader.checkEnoughReplicasReachOffset(requiredOffset, minInsyncReplicas);
    }

    /** Throws {@link NotLeaderOrFollowerException} unless this replica leads. */
    public void checkLeader() {
        leader.checkLeader();
    }

    /**
     * What a consumer's fetch read: the records, the last stable offset, and for read_committed the aborted
     * transactions among them (empty for read_uncommitted, which the response encodes as null).
     */
    public record ConsumerRead(LogReadResult read, long lastStableOffset,
                               Optional<List<AbortedTransaction>> abortedTransactions) {}

    /**
     * Reads as a consumer sees the log (leader only): read_uncommitted below the high watermark, read_committed
     * below the last stable offset, with the aborted transactions whose records it may return (Kafka's fetch
     * rules, KIP-98).
     */
    public ConsumerRead read(long offset, int maxBytes, boolean minOneMessage, IsolationLevel isolation) {
        return leader.read(offset, maxBytes, minOneMessage, isolation);
    }

    /**
     * Serves a follower's fetch: checks the epochs, reports a divergence (KIP-320: the follower's last fetched
     * epoch ends earlier here than its fetch offset), else reads up to the log end offset and records the
     * follower's progress, which may raise the HW and add the follower to the ISR.
     *
     * @param lastFetchedEpoch the epoch of the follower's last batch, -1 when unknown (no divergence check)
     * @throws NotLeaderOrFollowerException, FencedLeaderEpochException, UnknownLeaderEpochException,
     *         OffsetOutOfRangeException
     */
    public FollowerFetch fetchForFollower(int replicaId, long fetchOffset, int lastFetchedEpoch,
                                          int currentLeaderEpoch, long followerLogStartOffset, int maxBytes,
                                          boolean minOneMessage) {
        return leader.fetchForFollower(replicaId, fetchOffset, lastFetchedEpoch, currentLeaderEpoch,
                followerLogStartOffset, maxBytes, minOneMessage);
    }

    /**
     * Records a follower's progress without reading (tests and callers that read elsewhere); may raise the HW
     * and add the follower to the ISR.
     */
    public void updateFollowerFetchState(int replicaId, long fetchOffset, long followerLogStartOffset) {
        leader.updateFollowerFetchState(replicaId, fetchOffset, followerLogStartOffset);
    }

    /**
     * Raises the HW to the smallest log end offset over the maximal ISR (the local log end offset when this
     * replica is alone). Never lowers it. Tells the HW listener when it rose.
     *
     * @return true if the HW rose
     */
    public boolean maybeIncrementHighWatermark() {
        return leader.maybeIncrementHighWatermark();
    }

    /**
     * Completes when the high watermark reaches `offset` (or at once if it already has); completes exceptionally
     * with NotLeaderOrFollowerException if leadership is lost first, or TimeoutException after timeoutMs.
     */
    public CompletableFuture<Void> awaitHighWatermark(long offset, long timeoutMs) {
        return leader.awaitHighWatermark(offset, timeoutMs);
    }

    /**
     * DeleteRecords on the leader: moves the log start offset up to {@code offset} ({@code -1}: the HW). The
     * followers move theirs on their next fetches; the answer waits for {@link #lowWatermarkIfLeader()}.
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException above the HW
     */
    public DeleteRecordsResult deleteRecordsOnLeader(long offset) {
        return leader.deleteRecords(offset);
    }

    /**
     * The smallest log start offset over this leader and its followers on live brokers (Kafka's low watermark);
     * a follower that has not fetched in this leader epoch counts as -1.
     *
     * @throws NotLeaderOrFollowerException when this replica does not lead
     */
    public long lowWatermarkIfLeader() {
        return leader.lowWatermark();
    }

    /**
     * Removes from the ISR the followers that have not caught up within {@code replica.lag.time.max.ms} (the
     * periodic ISR check). Sends the change to the controller unless one is already in flight.
     */
    public void maybeShrinkIsr() {
        isr.maybeShrink();
    }

    // ---- follower (see FollowerSide) ----

    /**
     * Appends records fetched from the leader of epoch {@code fetchEpoch}, keeping their offsets and epochs.
     * Like the truncations below, it throws {@link NotLeaderOrFollowerException} when this replica leads or
     * moved to another epoch meanwhile.
     */
    public LogAppendInfo appendAsFollower(MemoryRecords records, int fetchEpoch) {
        return follower.append(records, fetchEpoch);
    }

    /** Follower HW: min(leader's HW, own log end offset). */
    public void updateFollowerHighWatermark(long leaderHighWatermark) {
        follower.updateHighWatermark(leaderHighWatermark);
    }

    /** Follower: moves the log start offset up to the leader's, never past the local HW. */
    public void maybeIncrementLogStartOffset(long leaderLogStartOffset) {
        follower.maybeIncrementLogStartOffset(leaderLogStartOffset);
    }

    /** Follower: removes everything at or after {@code offset}. */
    public void truncateTo(long offset, int fetchEpoch) {
        follower.truncateTo(offset, fetchEpoch);
    }

    /** Follower: empties the log and restarts it at {@code offset} (below the leader's log start offset). */
    public void truncateFullyAndStartAt(long offset, int fetchEpoch) {
        follower.truncateFullyAndStartAt(offset, fetchEpoch);
    }

    // ---- epochs (see EpochValidator) ----

    /** Where {@code epoch} ends in this replica's log, as Kafka answers OffsetForLeaderEpoch. */
    public EpochEndOffset epochEndOffset(int epoch) {
        return epochs.endOffset(epoch);
    }

    /**
     * Checks a request's idea of the leader epoch (KIP-320).
     *
     * @throws FencedLeaderEpochException older than the current epoch
     * @throws UnknownLeaderEpochException newer than the current epoch
     */
    public void checkLeaderEpoch(int requestEpoch) {
        epochs.checkLeaderEpoch(requestEpoch);
    }

    @Override
    public String toString() {
        PartitionState s = isr.state();
        return "Partition(" + topicPartition + ", leader=" + s.leaderId() + ", epoch=" + s.leaderEpoch() + ", isr="
                + s.isr() + ", hw=" + log.highWatermark() + ", leo=" + log.logEndOffset() + ")";
    }
}
