package io.herald.metadata.controller;

import java.util.concurrent.CompletableFuture;

/** Where the leader's own duties (fencing, unfencing, rebalancing) submit commands: the quorum log. */
@FunctionalInterface
public interface CommandSink {
    /** Completes with the encoded {@link ControllerReply} once the command is applied on the leader. */
    CompletableFuture<byte[]> append(ControllerCommand command);
}
