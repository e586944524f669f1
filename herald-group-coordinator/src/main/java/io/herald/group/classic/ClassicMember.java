package io.herald.group.classic;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * A member of a classic group: identity, timeouts, supported protocols, its current assignment, and the
 * JoinGroup/SyncGroup response it is parked on, if any.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class ClassicMember {
    /** A protocol (assignor) the member supports, with its metadata (for consumers: the subscription). */
    public record Protocol(String name, byte[] metadata) {
        public Protocol {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    private final String memberId;
    private final Optional<String> groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private List<Protocol> protocols;
    private byte[] assignment = new byte[0];
    private CompletableFuture<JoinGroupResponseData> joinFuture;
    private CompletableFuture<SyncGroupResponseData> syncFuture;
    private boolean isNew;

    ClassicMember(String memberId, Optional<String> groupInstanceId, String clientId, String clientHost,
                  int rebalanceTimeoutMs, int sessionTimeoutMs, List<Protocol> protocols) {
        this.memberId = Objects.requireNonNull(memberId, "memberId");
        this.groupInstanceId = Objects.requireNonNull(groupInstanceId, "groupInstanceId");
        this.clientId = clientId == null ? "" : clientId;
        this.clientHost = clientHost == null ? "" : clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    /** A copy under a new member id (static member replacement), keeping metadata and assignment. */
    ClassicMember withMemberId(String newMemberId) {
        ClassicMember copy = new ClassicMember(newMemberId, groupInstanceId, clientId, clientHost,
                rebalanceTimeoutMs, sessionTimeoutMs, protocols);
        copy.assignment = assignment;
        return copy;
    }

    public String memberId() {
        return memberId;
    }

    public Optional<String> groupInstanceId() {
        return groupInstanceId;
    }

    public boolean isStatic() {
        return groupInstanceId.isPresent();
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public List<Protocol> protocols() {
        return protocols;
    }

    void update(List<Protocol> protocols, int rebalanceTimeoutMs, int sessionTimeoutMs) {
        this.protocols = List.copyOf(protocols);
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** The member's metadata for {@code protocol}, empty if it does not support it. */
    public Optional<byte[]> metadata(String protocol) {
        return protocols.stream().filter(p -> p.name().equals(protocol)).map(Protocol::metadata).findFirst();
    }

    /** Whether a JoinGroup carries the same protocols, in the same order, with the same metadata. */
    boolean matches(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!other.get(i).name().equals(protocols.get(i).name())
                    || !Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
                return false;
            }
        }
        return true;
    }

    public byte[] assignment() {
        return assignment;
    }

    void setAssignment(byte[] assignment) {
        this.assignment = Objects.requireNonNull(assignment, "assignment");
    }

    public boolean isAwaitingJoin() {
        return joinFuture != null;
    }

    public boolean isAwaitingSync() {
        return syncFuture != null;
    }

    void awaitJoin(CompletableFuture<JoinGroupResponseData> future) {
        this.joinFuture = future;
    }

    void awaitSync(CompletableFuture<SyncGroupResponseData> future) {
        this.syncFuture = future;
    }

    /** Completes the parked JoinGroup, if any; true if there was one. */
    boolean completeJoin(JoinGroupResponseData response) {
        CompletableFuture<JoinGroupResponseData> f = joinFuture;
        joinFuture = null;
        return f != null && f.complete(response);
    }

    /** Completes the parked SyncGroup, if any; true if there was one. */
    boolean completeSync(SyncGroupResponseData response) {
        CompletableFuture<SyncGroupResponseData> f = syncFuture;
        syncFuture = null;
        return f != null && f.complete(response);
    }

    boolean isNew() {
        return isNew;
    }

    void setNew(boolean isNew) {
        this.isNew = isNew;
    }

    /**
     * Whether a heartbeat deadline passing is not a failure: members parked in a rebalance cannot heartbeat,
     * except new members, whose first join may be abandoned (Kafka's {@code hasSatisfiedHeartbeat}).
     */
    boolean hasSatisfiedHeartbeat() {
        return !isNew && (isAwaitingJoin() || isAwaitingSync());
    }
}
