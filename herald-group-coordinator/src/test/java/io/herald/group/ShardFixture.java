package io.herald.group;

import io.herald.common.config.ConfigValues;
import io.herald.common.time.ManualTime;
import io.herald.coordinator.runtime.CoordinatorResult;
import io.herald.coordinator.runtime.CoordinatorShardContext;
import io.herald.coordinator.runtime.CoordinatorTimer;
import io.herald.group.classic.ClassicGroup;
import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.group.record.GroupRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition's {@link GroupCoordinatorShard} on a manual clock, standing in for the coordinator runtime: each
 * operation's records are "appended" to {@link #log} when it returns, timer tasks run when the test advances
 * the clock, and {@link #restarted} replays the log into a fresh shard (a reload or a failover). For unit tests
 * of the state machines and of replay; the runtime's own rules are tested in herald-coordinator-common.
 */
final class ShardFixture {
    /** Share groups get Kafka's defaults, but a smaller group size, which tests fill. */
    static final GroupConfigView SHARE_CONFIGS = GroupConfigView.fixed(new ShareGroupSettings(45_000, 5_000, 10,
            30_000, 5, 2000, new ShareAutoOffsetReset.Latest(), IsolationLevel.READ_UNCOMMITTED, true,
            Optional.empty(), false, 0, 60_000, 2.0));
    final FixtureTimer clock = new FixtureTimer();
    final List<GroupCoordinatorRecord> log = new ArrayList<>();
    final GroupCoordinatorShard shard;

    /** A fresh partition: loaded from an empty log. */
    ShardFixture(GroupConfig config) {
        this(config, List.of(), 1_000_000L);
    }

    /** A partition loaded from {@code records}, in that order. */
    static ShardFixture loadedFrom(GroupConfig config, List<GroupCoordinatorRecord> records) {
        return new ShardFixture(config, records, 1_000_000L);
    }

    /** A partition loaded from {@code replayed}, at {@code nowMs}. */
    private ShardFixture(GroupConfig config, List<GroupCoordinatorRecord> replayed, long nowMs) {
        clock.time.advance(nowMs - clock.time.milliseconds());
        this.shard = new GroupCoordinatorShard(config, SHARE_CONFIGS, ConsumerGroupConfigView.fixed(
                new ConsumerGroupSettings(config.consumer().sessionTimeoutMs(), config.consumer().heartbeatIntervalMs())),
                new CoordinatorShardContext<>(0, 0, clock.time, clock));
        log.addAll(replayed);
        replayed.forEach(shard::replay);
        shard.onLoaded();
    }

    /** Appends what the operation wrote, as the runtime does after a successful operation. */
    <T> T append(CoordinatorResult<T, GroupCoordinatorRecord> result) {
        log.addAll(result.records());
        return result.response();
    }

    /** Runs shard code outside an operation wrapper (a sub-manager called directly) and appends what it wrote. */
    <T> T run(java.util.function.Supplier<T> code) {
        T value = code.get();
        return append(shard.written(value));
    }

    /** The consumer group records in the log. */
    List<ConsumerGroupRecord> consumerGroupLog() {
        return log.stream().filter(ConsumerGroupRecord.class::isInstance).map(ConsumerGroupRecord.class::cast)
                .toList();
    }

    /** Kafka's defaults, but the given initial rebalance delay and classic group size limit. */
    static GroupConfig config(int initialDelayMs, int maxSize) {
        return config(Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, String.valueOf(initialDelayMs),
                GroupConfig.GROUP_MAX_SIZE, String.valueOf(maxSize)));
    }

    /** Kafka's defaults but {@code overrides}, parsed as the broker parses them. */
    static GroupConfig config(Map<String, String> overrides) {
        return GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, overrides));
    }

    /** {@code config(initialDelayMs, maxSize)} whose periodic offset expiry never runs by itself: tests call it. */
    static GroupConfig withoutExpiryTimer(int initialDelayMs, int maxSize) {
        return config(Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, String.valueOf(initialDelayMs),
                GroupConfig.GROUP_MAX_SIZE, String.valueOf(maxSize),
                GroupConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS, String.valueOf(Long.MAX_VALUE / 4)));
    }

    /** A shard whose replay of {@link #log} rebuilds the state (a restart, a reload, a failover). */
    ShardFixture restarted(GroupConfig config) {
        return new ShardFixture(config, log, clock.time.milliseconds());
    }

    static JoinGroupRequestData joinRequest(String group, String memberId, String instanceId, String protocol,
                                            byte[] metadata) {
        JoinGroupRequestData req = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setProtocolType("consumer").setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(30_000);
        req.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(protocol)
                .setMetadata(metadata));
        return req;
    }

    CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData req, short version) {
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        append(shard.joinGroup(new RequestContext("client", "/127.0.0.1", version), req, f));
        return f;
    }

    CompletableFuture<JoinGroupResponseData> join(String group, String memberId) {
        return join(joinRequest(group, memberId, null, "range", new byte[]{1}), (short) 9);
    }

    CompletableFuture<JoinGroupResponseData> joinStatic(String group, String memberId, String instanceId) {
        return join(joinRequest(group, memberId, instanceId, "range", new byte[]{1}), (short) 9);
    }

    /** A dynamic member's full first join (MEMBER_ID_REQUIRED, then the real join); returns the parked join. */
    CompletableFuture<JoinGroupResponseData> joinNew(String group) {
        JoinGroupResponseData required = join(group, "").join();
        if (required.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
            throw new AssertionError("expected MEMBER_ID_REQUIRED, got " + Errors.forCode(required.errorCode()));
        }
        return join(group, required.memberId());
    }

    CompletableFuture<SyncGroupResponseData> sync(String group, String memberId, String instanceId, int generation,
                                                  List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments) {
        CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
        append(shard.syncGroup(new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation).setAssignments(assignments), f));
        return f;
    }

    static SyncGroupRequestData.SyncGroupRequestAssignment assignment(String memberId, byte[] bytes) {
        return new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId).setAssignment(bytes);
    }

    Errors heartbeat(String group, String memberId, String instanceId, int generation) {
        return append(shard.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation)));
    }

    ClassicGroup group(String id) {
        return shard.classic.group(id).orElseThrow();
    }

    /**
     * The shard's timers on a manual clock: {@link #advance} moves time and runs the tasks that fall due, in
     * deadline order (ties in scheduling order), as the runtime's loop would, and appends what they write.
     */
    final class FixtureTimer implements CoordinatorTimer<GroupCoordinatorRecord> {
        private record Task(String key, long deadline, long seq,
                            java.util.function.Supplier<CoordinatorResult<Void, GroupCoordinatorRecord>> run) {
        }

        final ManualTime time = new ManualTime(0);
        private long seq;
        private final Map<String, Task> byKey = new HashMap<>();
        private final PriorityQueue<Task> queue = new PriorityQueue<>(
                Comparator.comparingLong(Task::deadline).thenComparingLong(Task::seq));

        @Override
        public void schedule(String key, long delayMs,
                             java.util.function.Supplier<CoordinatorResult<Void, GroupCoordinatorRecord>> task) {
            cancel(key);
            Task t = new Task(key, time.milliseconds() + Math.max(0, delayMs), seq++, task);
            byKey.put(key, t);
            queue.add(t);
        }

        @Override
        public void cancel(String key) {
            Task t = byKey.remove(key);
            if (t != null) {
                queue.remove(t);
            }
        }

        @Override
        public boolean isScheduled(String key) {
            return byKey.containsKey(key);
        }

        @Override
        public int size() {
            return byKey.size();
        }

        /** Runs tasks due now (delay 0), without moving time. */
        void runDue() {
            advance(0);
        }

        void advance(long ms) {
            long target = time.milliseconds() + ms;
            while (!queue.isEmpty() && queue.peek().deadline() <= target) {
                Task t = queue.poll();
                byKey.remove(t.key(), t);
                time.advance(Math.max(0, t.deadline() - time.milliseconds()));
                append(t.run().get());
            }
            time.advance(target - time.milliseconds());
        }
    }
}
