package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommandSerde.UnsupportedVersionException;
import io.herald.metadata.controller.ControllerLogic.Decision;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.controller.LeaderRequest.Validate;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.quorum.QuorumStateMachine;
import io.herald.metadata.record.MetadataRecord;
import io.herald.common.time.Time;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller as a replicated state machine: every quorum member applies the same {@link ControllerCommand}
 * entries in log order through {@link ControllerLogic}, folding the decided records into its
 * {@link ClusterImage}, and answers each entry with a {@link ControllerReply}. A rejected command (validation
 * failure) changes nothing on any member, so two concurrent creates of one topic cannot both succeed: the
 * second is decided against an image that has the first.
 *
 * <p>The leader additionally runs {@link LeaderDuties} (liveness, rebalancing), which act only by appending
 * commands.
 *
 * <p>Thread-safety: {@link #apply} and {@link #restore} run on the quorum's apply thread; the current
 * (image, index) pair is one volatile reference, so {@link #image}, {@link #snapshot} and validate-only
 * requests read a consistent state from any thread.
 */
public final class ControllerStateMachine implements QuorumStateMachine {
    private static final Logger log = LoggerFactory.getLogger(ControllerStateMachine.class);

    /** Told after every applied entry and restored snapshot, on the apply thread. */
    @FunctionalInterface
    public interface ApplyListener {
        void onApplied(long index, ClusterImage previous, ClusterImage current);
    }

    private record State(ClusterImage image, long lastIndex) {}

    private volatile State state = new State(ClusterImage.EMPTY, 0);
    private volatile ApplyListener applyListener = (index, previous, current) -> { };
    private final LeaderDuties duties;

    public ControllerStateMachine(ControllerSettings settings, Time clock, CommandSink sink) {
        this(settings, clock, sink, nodeId -> { });
    }

    /** @param reachable see {@link LeaderDuties}: the quorum's reconnect hint for a broker back from an outage */
    public ControllerStateMachine(ControllerSettings settings, Time clock, CommandSink sink,
                                  IntConsumer reachable) {
        this.duties = new LeaderDuties(settings, clock, this::image, sink, reachable);
    }

    public ClusterImage image() {
        return state.image();
    }

    public long lastAppliedIndex() {
        return state.lastIndex();
    }

    public LeaderDuties leaderDuties() {
        return duties;
    }

    public void setApplyListener(ApplyListener listener) {
        this.applyListener = listener;
    }

    @Override
    public void restore(byte[] snapshot, long lastIndex) {
        ClusterImage previous = state.image();
        ClusterImage restored = ControllerSnapshot.read(snapshot);
        state = new State(restored, lastIndex);
        log.info("Restored the controller from a snapshot at index {} ({} topics, {} brokers)", lastIndex,
                restored.topics().size(), restored.brokers().size());
        applyListener.onApplied(lastIndex, previous, restored);
    }

    @Override
    public byte[] apply(long index, long term, byte[] entry) {
        ClusterImage previous = state.image();
        ClusterImage next = previous;
        ControllerReply reply;
        try {
            Decision decision = ControllerLogic.decide(previous, ControllerCommandSerde.decode(entry), index, term);
            for (MetadataRecord record : decision.records()) {
                next = next.apply(record);
            }
            reply = ControllerReply.success(index, decision.payload());
        } catch (UnsupportedVersionException e) {
            log.error("Skipping metadata log entry {}: {}", index, e.getMessage());
            reply = ControllerReply.failure(index, Errors.UNSUPPORTED_VERSION, e.getMessage());
        } catch (ApiException e) {
            reply = ControllerReply.failure(index, Errors.forException(e), e.getMessage());
        } catch (RuntimeException e) {
            // A bug, but a deterministic one: every member rejects the entry the same way and stays in step.
            log.error("Controller failed to apply entry {}; the entry changes nothing", index, e);
            reply = ControllerReply.failure(index, Errors.UNKNOWN_SERVER_ERROR, e.toString());
            next = previous;
        }
        state = new State(next, index);
        duties.onApplied(previous, next);
        applyListener.onApplied(index, previous, next);
        return reply.encode();
    }

    @Override
    public Snapshot snapshot() {
        State s = state;
        return new Snapshot(ControllerSnapshot.write(s.image()), s.lastIndex());
    }

    @Override
    public CompletableFuture<byte[]> onLeaderRequest(byte[] request) {
        LeaderRequest decoded;
        try {
            decoded = ControllerCommandSerde.decodeLeaderRequest(request);
        } catch (UnsupportedVersionException e) {
            return CompletableFuture.completedFuture(
                    ControllerReply.failure(-1, Errors.UNSUPPORTED_VERSION, e.getMessage()).encode());
        }
        return switch (decoded) {
            case Heartbeat h -> duties.onHeartbeat(h);
            case Validate v -> CompletableFuture.completedFuture(validate(v.command()).encode());
        };
    }

    /** Decides a command against the current image without applying it. */
    ControllerReply validate(ControllerCommand command) {
        State s = state;
        try {
            return ControllerReply.success(-1, ControllerLogic.decide(s.image(), command, s.lastIndex() + 1,
                    duties.term()).payload());
        } catch (ApiException e) {
            return ControllerReply.failure(-1, Errors.forException(e), e.getMessage());
        }
    }

    @Override
    public void onLeaderChange(boolean isLeader, long term) {
        duties.leaderChanged(isLeader, term);
    }
}
