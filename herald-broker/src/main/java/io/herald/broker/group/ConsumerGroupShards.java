package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroup;
import io.herald.broker.group.modern.ConsumerGroupConfig;
import io.herald.broker.group.modern.ConsumerGroupCoordinatorShard;
import io.herald.broker.group.modern.ConsumerGroupRecord;
import io.herald.broker.group.modern.HeartbeatContext;
import io.herald.broker.group.modern.Result;
import io.herald.broker.group.modern.TopicsView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KIP-848 consumer groups of every {@code __consumer_offsets} partition: one
 * {@link ConsumerGroupCoordinatorShard} per partition, and what the pure state machine leaves to its
 * integrator: persisting the records each operation returns, arming the shard's timers on the
 * {@link CoordinatorTimer}, and rebuilding a partition's shard from the log when an append fails.
 *
 * <p>Durability rule (the shard's contract): an operation has already replayed its records when it returns, so
 * they are appended and never replayed again. A failed append leaves memory ahead of the log; the partition's
 * shard is then rebuilt from the log (Kafka reverts to a snapshot instead), and the request gets the append's
 * error.
 *
 * <p>Not thread-safe: confined to the coordinator thread.
 */
final class ConsumerGroupShards {
    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupShards.class);

    /** Where one partition's consumer group records are made durable and read back. */
    interface Log {
        /** Appends the records as one batch; throws the Kafka exception of a failed append. */
        void append(int partition, List<ConsumerGroupRecord> records);

        /** Feeds the partition's consumer group records, oldest first, to {@code replay}. */
        void replay(int partition, Consumer<ConsumerGroupRecord> replay);
    }

    private final ConsumerGroupConfig config;
    private final Time time;
    private final CoordinatorTimer timer;
    private final Log groupLog;
    private final Predicate<String> classicGroupExists;
    private final ConsumerGroupCoordinatorShard[] shards;
    /** The deadline each partition's timer is armed for, or -1: re-arming on every heartbeat is wasted work. */
    private final long[] armedDeadlines;

    ConsumerGroupShards(int partitions, ConsumerGroupConfig config, Time time, CoordinatorTimer timer, Log groupLog,
                        Predicate<String> classicGroupExists) {
        this.config = config;
        this.time = time;
        this.timer = timer;
        this.groupLog = groupLog;
        this.classicGroupExists = classicGroupExists;
        this.shards = new ConsumerGroupCoordinatorShard[partitions];
        this.armedDeadlines = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            shards[p] = ConsumerGroupCoordinatorShard.create(config, classicGroupExists);
            armedDeadlines[p] = -1;
        }
    }

    int partitionFor(String groupId) {
        return OffsetsTopic.partitionFor(groupId, shards.length);
    }

    private ConsumerGroupCoordinatorShard shard(String groupId) {
        return shards[partitionFor(groupId)];
    }

    Optional<ConsumerGroup> group(String groupId) {
        return shard(groupId).group(groupId);
    }

    boolean exists(String groupId) {
        return group(groupId).isPresent();
    }

    /** Every consumer group of every partition. */
    List<ConsumerGroup> groups() {
        List<ConsumerGroup> all = new ArrayList<>();
        for (ConsumerGroupCoordinatorShard s : shards) {
            s.groupIds().forEach(id -> s.group(id).ifPresent(all::add));
        }
        return all;
    }

    // ---- loading ----

    /** Applies one record read from the partition at load. */
    void replay(int partition, ConsumerGroupRecord record) {
        shards[partition].replay(record);
    }

    /** After the partition's records were replayed: arms the session and rebalance timers. */
    void onLoaded(int partition) {
        shards[partition].onLoaded(time.milliseconds());
        rearm(partition);
    }

    /** Empties the partition's shard and stops its timer (the partition is no longer served here). */
    void unload(int partition) {
        shards[partition] = ConsumerGroupCoordinatorShard.create(config, classicGroupExists);
        timer.cancel(timerKey(partition));
        armedDeadlines[partition] = -1;
    }

    // ---- operations ----

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request, HeartbeatContext context,
                                                 TopicsView topics) {
        int p = partitionFor(request.groupId());
        Result<ConsumerGroupHeartbeatResponseData> result =
                shards[p].heartbeat(request, context, topics, time.milliseconds());
        return persist(p, result, error -> new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code())
                .setErrorMessage(error.message()));
    }

    ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId, TopicsView topics) {
        return shard(groupId).describe(groupId, topics).response();
    }

    /** Deletes an empty consumer group: NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or the append's error. */
    Errors delete(String groupId) {
        int p = partitionFor(groupId);
        return persist(p, shards[p].deleteGroup(groupId), Function.identity());
    }

    Errors validateOffsetCommit(String groupId, String memberId, int memberEpoch) {
        return shard(groupId).validateOffsetCommit(groupId, memberId, memberEpoch);
    }

    Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        return shard(groupId).validateOffsetFetch(groupId, memberId, memberEpoch);
    }

    // ---- persistence and timers ----

    private <T> T persist(int partition, Result<T> result, Function<Errors, T> onFailure) {
        try {
            if (!result.records().isEmpty()) {
                groupLog.append(partition, result.records());
            }
            return result.response();
        } catch (RuntimeException e) {
            Errors error = Errors.forException(e);
            log.warn("Appending {} consumer group records to {}-{} failed ({}); reloading the partition's groups",
                    result.records().size(), OffsetsTopic.NAME, partition, e.toString());
            reload(partition);
            return onFailure.apply(error);
        } finally {
            rearm(partition);
        }
    }

    /** Rebuilds the partition's shard from the log: memory went ahead of it when an append failed. */
    private void reload(int partition) {
        ConsumerGroupCoordinatorShard fresh = ConsumerGroupCoordinatorShard.create(config, classicGroupExists);
        try {
            groupLog.replay(partition, fresh::replay);
        } catch (RuntimeException e) {
            log.error("Reloading the consumer groups of {}-{} failed; they restart empty", OffsetsTopic.NAME,
                    partition, e);
        }
        fresh.onLoaded(time.milliseconds());
        shards[partition] = fresh;
    }

    private void onTimer(int partition) {
        armedDeadlines[partition] = -1;
        List<ConsumerGroupRecord> records = shards[partition].onTimer(time.milliseconds());
        persist(partition, new Result<>(records, Boolean.TRUE), error -> Boolean.FALSE);
    }

    private String timerKey(int partition) {
        return "consumer-groups-" + partition;
    }

    private void rearm(int partition) {
        Optional<Long> next = shards[partition].nextDeadlineMs();
        String key = timerKey(partition);
        if (next.isEmpty()) {
            timer.cancel(key);
            armedDeadlines[partition] = -1;
        } else if (next.get() != armedDeadlines[partition] || !timer.isScheduled(key)) {
            armedDeadlines[partition] = next.get();
            timer.schedule(key, next.get() - time.milliseconds(), () -> onTimer(partition));
        }
    }
}
