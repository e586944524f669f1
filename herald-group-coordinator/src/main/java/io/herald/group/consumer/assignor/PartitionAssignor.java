package io.herald.group.consumer.assignor;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A server-side partition assignor of the KIP-848 consumer group protocol.
 *
 * <p>Implementations are pure and deterministic: the same {@link AssignmentSpec} always gives
 * the same result, so that a coordinator replaying its log or a test re-running a seed sees the
 * same target assignment. Implementations must be thread-safe (they hold no state).
 */
public interface PartitionAssignor {

    /** The name clients select with {@code group.remote.assignor} (the heartbeat's {@code ServerAssignor}). */
    String name();

    /**
     * Computes the target assignment.
     *
     * @return for every member of the spec (members with nothing included, as an empty map), the
     *     partitions it should own, by topic id. Every partition of a topic that at least one member
     *     subscribes to is assigned to exactly one member subscribed to that topic.
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(AssignmentSpec spec);
}
