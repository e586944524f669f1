package io.herald.group;

import io.herald.coordinator.share.InMemoryShareStatePersister;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.coordinator.share.ShareStateRead;
import io.herald.coordinator.share.ShareStateSummary;
import io.herald.coordinator.share.ShareStateWrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * The in-memory persister with scripted faults and a log of calls, for tests of the coordinator's use of it:
 * {@link #failNext} makes the next calls of a kind answer an error, {@link #hold} keeps initializations
 * unanswered until {@link #release}. Thread-safe (synchronized).
 */
final class ScriptedPersister implements ShareStatePersister {
    enum Call { INITIALIZE, DELETE, READ_SUMMARY }

    /** One initialize call as made. */
    record Initialize(SharePartitionKey key, int stateEpoch, long startOffset) {}

    final InMemoryShareStatePersister state = new InMemoryShareStatePersister();
    final List<Initialize> initializations = new ArrayList<>();
    final List<SharePartitionKey> deletions = new ArrayList<>();
    private final Map<Call, List<Errors>> failures = new HashMap<>();
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;

    synchronized void failNext(Call call, Errors... errors) {
        failures.computeIfAbsent(call, c -> new ArrayList<>()).addAll(List.of(errors));
    }

    synchronized void hold() {
        holding = true;
    }

    /** Answers every held initialization. */
    void release() {
        List<Runnable> answers;
        synchronized (this) {
            holding = false;
            answers = List.copyOf(held);
            held.clear();
        }
        answers.forEach(Runnable::run);
    }

    private synchronized Errors nextFailure(Call call) {
        List<Errors> queued = failures.getOrDefault(call, List.of());
        return queued.isEmpty() ? Errors.NONE : queued.remove(0);
    }

    @Override
    public CompletableFuture<Errors> initialize(SharePartitionKey key, int stateEpoch, long startOffset) {
        CompletableFuture<Errors> answer = new CompletableFuture<>();
        Runnable run = () -> {
            Errors failure = nextFailure(Call.INITIALIZE);
            if (failure != Errors.NONE) {
                answer.complete(failure);
            } else {
                state.initialize(key, stateEpoch, startOffset).thenAccept(answer::complete);
            }
        };
        synchronized (this) {
            initializations.add(new Initialize(key, stateEpoch, startOffset));
            if (holding) {
                held.add(run);
                return answer;
            }
        }
        run.run();
        return answer;
    }

    @Override
    public CompletableFuture<ShareStateRead> read(SharePartitionKey key, int leaderEpoch) {
        return state.read(key, leaderEpoch);
    }

    @Override
    public CompletableFuture<Errors> write(SharePartitionKey key, ShareStateWrite write) {
        return state.write(key, write);
    }

    @Override
    public CompletableFuture<ShareStateSummary> readSummary(SharePartitionKey key, int leaderEpoch) {
        Errors failure = nextFailure(Call.READ_SUMMARY);
        if (failure != Errors.NONE) {
            return CompletableFuture.completedFuture(new ShareStateSummary(failure, 0, 0, -1, -1));
        }
        return state.readSummary(key, leaderEpoch);
    }

    @Override
    public CompletableFuture<Errors> delete(SharePartitionKey key) {
        synchronized (this) {
            deletions.add(key);
        }
        Errors failure = nextFailure(Call.DELETE);
        return failure != Errors.NONE ? CompletableFuture.completedFuture(failure) : state.delete(key);
    }
}
