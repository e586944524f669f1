package io.herald.group;

import io.herald.common.time.Time;
import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.consumer.ConsumerGroup;
import io.herald.group.consumer.ConsumerGroupConfig;
import io.herald.group.consumer.ConsumerGroupCoordinatorShard;
import io.herald.group.consumer.HeartbeatContext;
import io.herald.group.consumer.Result;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ConsumerGroupRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The KIP-848 consumer groups of one {@code __consumer_offsets} partition: the pure
 * {@link ConsumerGroupCoordinatorShard}, and what it leaves to its integrator: handing the records each operation
 * returns to the {@link RecordSink} (the shard has already replayed them), and arming its session and rebalance
 * deadlines on the partition's {@link GroupTimer}.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ConsumerGroups {
    private static final String TIMER_KEY = "consumer-groups";

    private final Time time;
    private final GroupTimer timer;
    private final RecordSink sink;
    private final ConsumerGroupCoordinatorShard shard;
    /** The deadline the timer is armed for, or -1: re-arming on every heartbeat is wasted work. */
    private long armedDeadline = -1;

    ConsumerGroups(ConsumerGroupConfig config, ConsumerGroupConfigView groupConfigs, Time time, GroupTimer timer,
                   RecordSink sink, Predicate<String> classicGroupExists) {
        this.time = time;
        this.timer = timer;
        this.sink = sink;
        this.shard = ConsumerGroupCoordinatorShard.create(config, groupConfigs, classicGroupExists);
    }

    public Optional<ConsumerGroup> group(String groupId) {
        return shard.group(groupId);
    }

    public boolean exists(String groupId) {
        return group(groupId).isPresent();
    }

    /** Every consumer group of the partition. */
    public List<ConsumerGroup> groups() {
        List<ConsumerGroup> all = new ArrayList<>();
        shard.groupIds().forEach(id -> shard.group(id).ifPresent(all::add));
        return all;
    }

    // ---- loading ----

    void replay(ConsumerGroupRecord record) {
        shard.replay(record);
    }

    /** After the partition's records were replayed: arms the session and rebalance deadlines. */
    void onLoaded() {
        shard.onLoaded(time.milliseconds());
        rearm();
    }

    // ---- operations ----

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request, HeartbeatContext context,
                                                 TopicsView topics) {
        return written(shard.heartbeat(request, context, topics, time.milliseconds()));
    }

    ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId, TopicsView topics) {
        return shard.describe(groupId, topics).response();
    }

    /** Deletes an empty consumer group: NONE, GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP. */
    public Errors delete(String groupId) {
        return written(shard.deleteGroup(groupId));
    }

    public Errors validateOffsetCommit(String groupId, String memberId, int memberEpoch) {
        return shard.validateOffsetCommit(groupId, memberId, memberEpoch);
    }

    Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        return shard.validateOffsetFetch(groupId, memberId, memberEpoch);
    }

    // ---- records and timers ----

    private <T> T written(Result<T> result) {
        result.records().forEach(sink::writeApplied);
        rearm();
        return result.response();
    }

    private void onTimer() {
        armedDeadline = -1;
        shard.onTimer(time.milliseconds()).forEach(sink::writeApplied);
        rearm();
    }

    private void rearm() {
        Optional<Long> next = shard.nextDeadlineMs();
        if (next.isEmpty()) {
            timer.cancel(TIMER_KEY);
            armedDeadline = -1;
        } else if (next.get() != armedDeadline || !timer.isScheduled(TIMER_KEY)) {
            armedDeadline = next.get();
            timer.schedule(TIMER_KEY, next.get() - time.milliseconds(), this::onTimer);
        }
    }
}
