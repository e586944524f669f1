package io.herald.common.purgatory;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PurgatoryTest {
    private final ManualTimer timer = new ManualTimer(new ManualTime());

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
        try (Purgatory<String> purgatory = new Purgatory<>("test", timer)) {
            Waiter waiter = new Waiter(60_000);
            waiter.ready.set(true);
            assertThat(purgatory.tryCompleteElseWatch(waiter, List.of("a"))).isTrue();
            assertThat(waiter.completions).hasValue(1);
            assertThat(purgatory.size()).isZero();
            assertThat(timer.pending()).as("no deadline armed").isZero();
        }
    }

    @Test
    void anEventOnAWatchedKeyCompletesTheOperationOnce() {
        try (Purgatory<String> purgatory = new Purgatory<>("test", timer)) {
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
    void completingAnOperationCancelsItsDeadline() {
        try (Purgatory<String> purgatory = new Purgatory<>("test", timer)) {
            Waiter waiter = new Waiter(30_000);
            purgatory.tryCompleteElseWatch(waiter, List.of("a"));
            assertThat(timer.pending()).isEqualTo(1);
            waiter.ready.set(true);
            purgatory.checkAndComplete("a");
            assertThat(timer.pending()).as("the timer gives the slot back at once").isZero();
            timer.advance(30_000);
            assertThat(waiter.completions).hasValue(1);
        }
    }

    @Test
    void theDeadlineCompletesAnOperationWhoseConditionNeverHolds() {
        try (Purgatory<String> purgatory = new Purgatory<>("test", timer)) {
            Waiter waiter = new Waiter(50);
            purgatory.tryCompleteElseWatch(waiter, List.of("a"));
            timer.advance(49);
            assertThat(waiter.completions).as("not before its deadline").hasValue(0);
            timer.advance(1);
            assertThat(waiter.completions).hasValue(1);
            assertThat(purgatory.size()).isZero();
        }
    }

    @Test
    void closeAnswersEveryParkedOperation() {
        Waiter waiter = new Waiter(60_000);
        Purgatory<String> purgatory = new Purgatory<>("test", timer);
        purgatory.tryCompleteElseWatch(waiter, List.of("a"));
        purgatory.close();
        assertThat(waiter.completions).hasValue(1);
        assertThat(timer.pending()).isZero();
    }
}
