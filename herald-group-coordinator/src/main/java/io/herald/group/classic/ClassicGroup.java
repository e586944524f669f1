package io.herald.group.classic;

import io.herald.group.record.GroupRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;

/**
 * The state of one classic group: lifecycle state, generation, selected protocol, leader, members, and the
 * members the current rebalance is waiting for. The rules of the protocol live in
 * {@link ClassicGroupManager} and the classes it wires; this class keeps the bookkeeping consistent.
 *
 * <p>Invariants: a static member's instance id maps to exactly one member id; the leader, if any, is a
 * member; a pending (MEMBER_ID_REQUIRED) member is not yet a member.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ClassicGroup {
    private final String groupId;
    private GroupState state = GroupState.EMPTY;
    private GroupState previousState = GroupState.EMPTY;
    private long currentStateTimestamp;
    private Optional<String> protocolType = Optional.empty();
    private Optional<String> protocolName = Optional.empty();
    private int generationId;
    private Optional<String> leaderId = Optional.empty();
    private final Map<String, ClassicMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingJoinMembers = new HashSet<>();
    private final Set<String> pendingSyncMembers = new HashSet<>();
    private boolean newMemberAdded;

    ClassicGroup(String groupId, long now) {
        this.groupId = groupId;
        this.currentStateTimestamp = now;
    }

    public String groupId() {
        return groupId;
    }

    public GroupState state() {
        return state;
    }

    public GroupState previousState() {
        return previousState;
    }

    public boolean isInState(GroupState s) {
        return state == s;
    }

    public long currentStateTimestamp() {
        return currentStateTimestamp;
    }

    void transitionTo(GroupState target, long now) {
        if (!target.canTransitionFrom(state)) {
            throw new IllegalStateException("Group " + groupId + ": " + state + " -> " + target
                    + " is not a valid transition");
        }
        previousState = state;
        state = target;
        currentStateTimestamp = now;
    }

    /** Restores a state loaded from the log (no transition check: there is no previous state). */
    void restore(GroupState loaded, String protocolType, int generation, String protocolName, String leader,
                 long stateTimestamp) {
        this.state = loaded;
        this.previousState = loaded;
        this.protocolType = Optional.of(protocolType);
        this.generationId = generation;
        this.protocolName = Optional.ofNullable(protocolName);
        this.leaderId = Optional.ofNullable(leader);
        this.currentStateTimestamp = stateTimestamp;
    }

    public Optional<String> protocolType() {
        return protocolType;
    }

    /** Set by the first member that joins an empty group; kept while the group is empty. */
    void setProtocolType(String type) {
        this.protocolType = Optional.of(type);
    }

    public Optional<String> protocolName() {
        return protocolName;
    }

    public int generationId() {
        return generationId;
    }

    public Optional<String> leaderId() {
        return leaderId;
    }

    public String leaderOrNull() {
        return leaderId.orElse(null);
    }

    public boolean isLeader(String memberId) {
        return leaderId.map(memberId::equals).orElse(false);
    }

    public Collection<ClassicMember> members() {
        return members.values();
    }

    public int size() {
        return members.size();
    }

    public boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    public ClassicMember member(String memberId) {
        ClassicMember m = members.get(memberId);
        if (m == null) {
            throw new IllegalStateException("Group " + groupId + " has no member " + memberId);
        }
        return m;
    }

    public Optional<String> staticMemberId(String groupInstanceId) {
        return Optional.ofNullable(staticMembers.get(groupInstanceId));
    }

    boolean newMemberAdded() {
        return newMemberAdded;
    }

    void setNewMemberAdded(boolean added) {
        this.newMemberAdded = added;
    }

    // ---- membership ----

    void add(ClassicMember member) {
        members.put(member.memberId(), member);
        member.groupInstanceId().ifPresent(id -> staticMembers.put(id, member.memberId()));
        pendingJoinMembers.remove(member.memberId());
        if (leaderId.isEmpty()) {
            leaderId = Optional.of(member.memberId());
        }
    }

    void remove(String memberId) {
        ClassicMember removed = members.remove(memberId);
        if (removed == null) {
            return;
        }
        removed.groupInstanceId().ifPresent(id -> staticMembers.remove(id, memberId));
        pendingSyncMembers.remove(memberId);
        if (isLeader(memberId)) {
            leaderId = members.isEmpty() ? Optional.empty() : Optional.of(members.keySet().iterator().next());
        }
    }

    /**
     * Replaces a static member's id (a restarted static member rejoining): the new id inherits metadata,
     * assignment and leadership. Returns the old member so its parked responses can be fenced.
     */
    ClassicMember replaceStaticMember(String groupInstanceId, String oldMemberId, ClassicMember replacement) {
        ClassicMember old = members.remove(oldMemberId);
        if (old == null) {
            throw new IllegalStateException("Group " + groupId + " has no member " + oldMemberId);
        }
        pendingSyncMembers.remove(oldMemberId);
        members.put(replacement.memberId(), replacement);
        staticMembers.put(groupInstanceId, replacement.memberId());
        if (isLeader(oldMemberId)) {
            leaderId = Optional.of(replacement.memberId());
        }
        return old;
    }

    public boolean isPendingMember(String memberId) {
        return pendingJoinMembers.contains(memberId);
    }

    void addPendingMember(String memberId) {
        pendingJoinMembers.add(memberId);
    }

    /** The ids handed out by MEMBER_ID_REQUIRED and not used yet (a copy). */
    public Set<String> pendingMembers() {
        return Set.copyOf(pendingJoinMembers);
    }

    boolean removePendingMember(String memberId) {
        return pendingJoinMembers.remove(memberId);
    }

    Set<String> pendingSyncMembers() {
        return pendingSyncMembers;
    }

    // ---- rebalance ----

    boolean canRebalance() {
        return GroupState.PREPARING_REBALANCE.canTransitionFrom(state);
    }

    /** Every member has a parked JoinGroup and no new member is still on its way (MEMBER_ID_REQUIRED). */
    boolean hasAllMembersJoined() {
        return members.values().stream().allMatch(ClassicMember::isAwaitingJoin) && pendingJoinMembers.isEmpty();
    }

    /** Keeps the leader if it rejoined, else picks a member that did; false if none rejoined. */
    boolean maybeElectNewJoinedLeader() {
        if (leaderId.isEmpty()) {
            return false;
        }
        ClassicMember leader = members.get(leaderId.get());
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (ClassicMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = Optional.of(m.memberId());
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a joining member's protocols fit the group: an empty group accepts any non-empty protocol
     * type and list; otherwise the type must match and at least one protocol must be supported by every
     * current member.
     */
    boolean supportsProtocols(String type, List<ClassicMember.Protocol> protocols) {
        if (isInState(GroupState.EMPTY) || members.isEmpty()) {
            return type != null && !type.isEmpty() && !protocols.isEmpty();
        }
        if (!protocolType.map(t -> t.equals(type)).orElse(false)) {
            return false;
        }
        Map<String, Integer> supported = supportedProtocols();
        return protocols.stream().anyMatch(p -> supported.getOrDefault(p.name(), 0) == members.size());
    }

    private Map<String, Integer> supportedProtocols() {
        Map<String, Integer> counts = new HashMap<>();
        for (ClassicMember m : members.values()) {
            for (ClassicMember.Protocol p : m.protocols()) {
                counts.merge(p.name(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Kafka's vote: among protocols every member supports, each member votes for its most preferred one. */
    String selectProtocol() {
        Map<String, Integer> supported = supportedProtocols();
        Set<String> candidates = new HashSet<>();
        supported.forEach((name, count) -> {
            if (count == members.size()) {
                candidates.add(name);
            }
        });
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicMember m : members.values()) {
            m.protocols().stream().map(ClassicMember.Protocol::name).filter(candidates::contains).findFirst()
                    .ifPresent(vote -> votes.merge(vote, 1, Integer::sum));
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("Group " + groupId + " has no common protocol"));
    }

    /** Starts the next generation: CompletingRebalance with a protocol, or Empty without members. */
    void initNextGeneration(long now) {
        generationId++;
        if (!members.isEmpty()) {
            protocolName = Optional.of(selectProtocol());
            transitionTo(GroupState.COMPLETING_REBALANCE, now);
        } else {
            protocolName = Optional.empty();
            transitionTo(GroupState.EMPTY, now);
        }
        pendingSyncMembers.clear();
    }

    /** The member list the leader gets in its JoinGroup response: ids with metadata for the protocol. */
    List<JoinGroupResponseData.JoinGroupResponseMember> joinResponseMembers() {
        String protocol = protocolName.orElseThrow();
        List<JoinGroupResponseData.JoinGroupResponseMember> list = new ArrayList<>();
        for (ClassicMember m : members.values()) {
            list.add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId().orElse(null))
                    .setMetadata(m.metadata(protocol).orElse(new byte[0])));
        }
        return list;
    }

    /**
     * The topics the members subscribe to, for consumer groups; empty if unknown (not the consumer protocol,
     * no protocol selected, or undecodable metadata).
     */
    public Optional<Set<String>> subscribedTopics() {
        if (!protocolType.map(ConsumerProtocol.PROTOCOL_TYPE::equals).orElse(false) || protocolName.isEmpty()) {
            return Optional.empty();
        }
        Set<String> topics = new HashSet<>();
        for (ClassicMember m : members.values()) {
            try {
                byte[] metadata = m.metadata(protocolName.get()).orElse(new byte[0]);
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(topics);
    }

    /** The group as a metadata record value (assignments as currently held by the members). */
    public GroupRecord.GroupMetadataValue toRecordValue() {
        List<GroupRecord.MemberValue> values = new ArrayList<>();
        for (ClassicMember m : members.values()) {
            values.add(new GroupRecord.MemberValue(m.memberId(), m.groupInstanceId().orElse(null), m.clientId(),
                    m.clientHost(), m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                    protocolName.flatMap(m::metadata).orElse(new byte[0]), m.assignment()));
        }
        return new GroupRecord.GroupMetadataValue(protocolType.orElse(""), generationId, protocolName.orElse(null),
                leaderId.orElse(null), currentStateTimestamp, values);
    }
}
