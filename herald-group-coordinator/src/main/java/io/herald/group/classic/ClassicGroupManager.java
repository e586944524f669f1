package io.herald.group.classic;

import io.herald.common.time.Time;
import io.herald.group.GroupConfig;
import io.herald.group.GroupTimer;
import io.herald.group.RecordSink;
import io.herald.group.RequestContext;
import io.herald.group.record.GroupRecord;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) for the groups of one
 * {@code __consumer_offsets} partition,
 * following Kafka's {@code GroupMetadataManager} rule for rule: coordinator-assigned member ids (v4+:
 * MEMBER_ID_REQUIRED first), generations, leader election, the initial rebalance delay, rebalance and session
 * timeouts, pending-sync timeouts, {@code group.max.size}, and static membership with member replacement.
 *
 * <p>This class is the package's entry point and wires its parts: {@link ClassicGroupRegistry} holds the groups,
 * {@link JoinGroupHandler} admits members, {@link ClassicRebalance} runs the join and sync phases,
 * {@link ClassicMembership} handles heartbeats, leaves and expiry, and {@link MemberSessions} arms the member
 * timers. Parked requests are futures completed later by another request or a timer; no thread waits.
 *
 * <p>Durability follows Kafka's classic groups: membership changes are in-memory; the group's metadata
 * record (members, protocol, assignments) is written when a generation completes (leader's SyncGroup, group
 * becoming empty, static member replacement) through {@link RecordSink#writeApplied} and, as in Kafka, is not
 * replayed in live operation (the state already holds it). {@link #replay} rebuilds a group from that record
 * when a partition loads. If the write fails, the coordinator runtime fails the answers of that operation and
 * reloads the partition from the log, which drops the in-memory membership: the members rejoin, as after a
 * coordinator move.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ClassicGroupManager {
    private final ClassicGroupRegistry groups;
    private final JoinGroupHandler joins;
    private final ClassicRebalance rebalance;
    private final ClassicMembership membership;

    public ClassicGroupManager(GroupConfig config, Time time, GroupTimer timer, RecordSink sink) {
        this.groups = new ClassicGroupRegistry(time, timer);
        // Expiry is membership's to handle, but membership needs the rebalance, which needs the sessions: the
        // listener is bound through this object and only called later, from a timer task.
        MemberSessions sessions = new MemberSessions(timer, this::onSessionExpired);
        this.rebalance = new ClassicRebalance(config, time, timer, sink, groups, sessions);
        this.joins = new JoinGroupHandler(config, sink, groups, sessions, rebalance);
        this.membership = new ClassicMembership(config, groups, sessions, rebalance);
    }

    public Optional<ClassicGroup> group(String groupId) {
        return groups.group(groupId);
    }

    public Collection<ClassicGroup> groups() {
        return groups.groups();
    }

    /** The group, created empty if absent (offset commits of simple groups, replay of offsets). */
    public ClassicGroup getOrCreate(String groupId) {
        return groups.getOrCreate(groupId);
    }

    public void joinGroup(RequestContext ctx, JoinGroupRequestData req, CompletableFuture<JoinGroupResponseData> future) {
        joins.joinGroup(ctx, req, future);
    }

    public void syncGroup(SyncGroupRequestData req, CompletableFuture<SyncGroupResponseData> future) {
        rebalance.syncGroup(req, future);
    }

    public Errors heartbeat(HeartbeatRequestData req) {
        return membership.heartbeat(req);
    }

    public LeaveGroupResponseData leaveGroup(RequestContext ctx, LeaveGroupRequestData req) {
        return membership.leaveGroup(ctx, req);
    }

    private void onSessionExpired(String groupId, String memberId) {
        membership.onSessionExpired(groupId, memberId);
    }

    // ---- shared with offset commits ----

    /** Kafka's validateExistingMember: unknown id, or a static member whose id was replaced (fenced). */
    public static Optional<Errors> validateExistingMember(ClassicGroup group, String memberId, String instanceId) {
        return ClassicMembership.validateExistingMember(group, memberId, instanceId);
    }

    /** A successful offset commit by a member counts as a heartbeat, as in Kafka. */
    public void onMemberCommitted(ClassicGroup group, String memberId) {
        membership.onMemberCommitted(group, memberId);
    }

    // ---- deletion, replay and loading ----

    /** Marks a deleted group Dead and forgets it; parked requests learn that the coordinator moved on. */
    public void removeGroup(String groupId) {
        groups.removeGroup(groupId);
    }

    /**
     * Forgets every group without writing anything: the partition is no longer served here. Parked joins and
     * syncs answer NOT_COORDINATOR (the client finds the new coordinator), their timers stop.
     */
    public void unload() {
        groups.unload();
    }

    /** Rebuilds a group from its metadata record (partition load); a tombstone removes it. */
    public void replay(GroupRecord.GroupMetadata record) {
        groups.replay(record);
    }

    /** After a partition loaded: loaded members must heartbeat within their session timeout. */
    public void onLoaded() {
        membership.onLoaded();
    }

    // ---- builders, for the coordinator and tests ----

    public static JoinGroupResponseData joinError(String memberId, Errors error) {
        return ClassicResponses.joinError(memberId, error);
    }

    /** The key of the group's join-phase timer (tests check it is armed). */
    public static String joinKey(String groupId) {
        return ClassicTimerKeys.join(groupId);
    }
}
