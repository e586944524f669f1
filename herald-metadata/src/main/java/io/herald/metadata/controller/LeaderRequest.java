package io.herald.metadata.controller;

import org.apache.kafka.common.Uuid;

/**
 * A request only the quorum leader answers, without writing the log (see
 * {@link io.herald.metadata.quorum.MetadataQuorum#askLeader}). Encoded by {@link ControllerCommandSerde}.
 */
public sealed interface LeaderRequest {

    /** A broker is alive; the leader's liveness tracker resets its session. */
    record Heartbeat(int brokerId, Uuid incarnationId) implements LeaderRequest {}

    /** Decides {@code command} against the leader's current image and answers, changing nothing. */
    record Validate(ControllerCommand command) implements LeaderRequest {}
}
