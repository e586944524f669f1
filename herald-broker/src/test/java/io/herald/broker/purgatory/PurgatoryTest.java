package io.herald.broker.purgatory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PurgatoryTest {

    /** Completes when {@code ready} is set; counts its completions. */
    private static final class Waiter extends DelayedOperation {
        final AtomicBoolean ready = new AtomicBoolean();
        final AtomicInteger completions = new AtomicInteger();

        Waiter(long delayMs) {
            super(delayMs);
        }

        @Override
        public boolean tryComplete() {
            return ready.get() && forceComplete();
        }

        @Override
        protected void onComplete() {
            completions.incrementAndGet();
        }
    }

    @Test
    void completesAtOnceWhenTheConditionAlreadyHolds() {
        try (Purgatory<String> purgatory = new Purgatory<>("test")) {
            Waiter waiter = new Waiter(60_000);
            waiter.ready.set(true);
            assertThat(purgatory.tryCompleteElseWatch(waiter, List.of("a"))).isTrue();
            assertThat(waiter.completions).hasValue(1);
            assertThat(purgatory.size()).isZero();
        }
    }

    @Test
    void anEventOnAWatchedKeyCompletesTheOperationOnce() {
        try (Purgatory<String> purgatory = new Purgatory<>("test")) {
            Waiter waiter = new Waiter(60_000);
            assertThat(purgatory.tryCompleteElseWatch(waiter, List.of("a", "b"))).isFalse();
            purgatory.checkAndComplete("a");
            assertThat(waiter.completions).hasValue(0);
            waiter.ready.set(true);
            purgatory.checkAndComplete("c");
            assertThat(waiter.completions).hasValue(0);
            purgatory.checkAndComplete("b");
            purgatory.checkAndComplete("a");
            assertThat(waiter.completions).hasValue(1);
        }
    }

    @Test
    void theDeadlineCompletesAnOperationWhoseConditionNeverHolds() {
        try (Purgatory<String> purgatory = new Purgatory<>("test")) {
            Waiter waiter = new Waiter(50);
            purgatory.tryCompleteElseWatch(waiter, List.of("a"));
            await().atMost(Duration.ofSeconds(10)).until(() -> waiter.completions.get() == 1);
            assertThat(purgatory.size()).isZero();
        }
    }

    @Test
    void closeAnswersEveryParkedOperation() {
        Waiter waiter = new Waiter(60_000);
        Purgatory<String> purgatory = new Purgatory<>("test");
        purgatory.tryCompleteElseWatch(waiter, List.of("a"));
        purgatory.close();
        assertThat(waiter.completions).hasValue(1);
    }
}
