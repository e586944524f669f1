package io.herald.transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A marker channel for tests: every write is recorded and left pending until the test completes or fails it, so
 * "the markers are not written yet" is a state the test can hold. Not thread-safe: tests drive one thread.
 */
final class FakeMarkerChannel implements TransactionMarkerChannel {
    /** One call of {@link #writeMarkers}. */
    record Write(TransactionMarkers markers, CompletableFuture<Void> future) {
    }

    final List<Write> writes = new ArrayList<>();
    /** Complete every write at once (as if each partition answered immediately). */
    boolean autoComplete;

    @Override
    public CompletableFuture<Void> writeMarkers(TransactionMarkers markers) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        writes.add(new Write(markers, future));
        if (autoComplete) {
            future.complete(null);
        }
        return future;
    }

    List<Write> pending() {
        return writes.stream().filter(w -> !w.future().isDone()).toList();
    }

    Write last() {
        return writes.get(writes.size() - 1);
    }
}
