package io.herald.broker.group;

import io.herald.broker.group.modern.ConsumerGroupRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A {@link GroupShard} on a manual clock whose writer keeps the appended records in memory (the "log"), for
 * unit tests of the state machine and of replay.
 */
final class ShardFixture {
    final ManualClock clock = new ManualClock();
    final List<GroupRecord> log = new ArrayList<>();
    final List<ConsumerGroupRecord> consumerGroupLog = new ArrayList<>();
    final GroupShard shard;
    RuntimeException failAppendsWith;

    ShardFixture(GroupConfig config) {
        this.shard = new GroupShard(config, clock, clock, (groupId, records) -> {
            if (failAppendsWith != null) {
                throw failAppendsWith;
            }
            log.addAll(records);
        }, new ConsumerGroupShards.Log() {
            @Override
            public void append(int partition, List<ConsumerGroupRecord> records) {
                if (failAppendsWith != null) {
                    throw failAppendsWith;
                }
                consumerGroupLog.addAll(records);
            }

            @Override
            public void replay(int partition, java.util.function.Consumer<ConsumerGroupRecord> replay) {
                consumerGroupLog.stream().filter(r -> shard.partitionFor(r.groupId()) == partition).forEach(replay);
            }
        });
    }

    static GroupConfig config(int initialDelayMs, int maxSize) {
        GroupConfig d = GroupConfig.defaults();
        return new GroupConfig(d.offsetsTopicPartitions(), d.offsetsTopicSegmentBytes(),
                d.offsetsTopicReplicationFactor(), initialDelayMs,
                d.minSessionTimeoutMs(), d.maxSessionTimeoutMs(), maxSize, d.offsetsRetentionMs(),
                d.retentionCheckIntervalMs(), d.offsetMetadataMaxBytes(), d.offsetsCommitTimeoutMs(),
                d.newMemberJoinTimeoutMs(),
                d.consumer());
    }

    /** A shard whose replay of {@link #log} rebuilds the state (a restart). */
    ShardFixture restarted(GroupConfig config) {
        ShardFixture next = new ShardFixture(config);
        next.log.addAll(log);
        log.forEach(next.shard::replay);
        next.consumerGroupLog.addAll(consumerGroupLog);
        consumerGroupLog.forEach(r -> next.shard.replay(next.shard.partitionFor(r.groupId()), r));
        for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
            next.shard.onLoaded(p);
        }
        return next;
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
        shard.groups.joinGroup(new RequestContext("client", "/127.0.0.1", version), req, f);
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
        shard.groups.syncGroup(new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation).setAssignments(assignments), f);
        return f;
    }

    static SyncGroupRequestData.SyncGroupRequestAssignment assignment(String memberId, byte[] bytes) {
        return new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId).setAssignment(bytes);
    }

    Errors heartbeat(String group, String memberId, String instanceId, int generation) {
        return shard.groups.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation));
    }

    ClassicGroup group(String id) {
        return shard.groups.group(id).orElseThrow();
    }
}
