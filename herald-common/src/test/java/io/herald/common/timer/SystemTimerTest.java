package io.herald.common.timer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemTimerTest {

    @Test
    void runsAScheduledTaskOnItsThread() throws InterruptedException {
        try (SystemTimer timer = new SystemTimer("test")) {
            CountDownLatch ran = new CountDownLatch(1);
            String[] thread = new String[1];
            timer.schedule(1, () -> {
                thread[0] = Thread.currentThread().getName();
                ran.countDown();
            });
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(thread[0]).isEqualTo("herald-timer-test");
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheTimer() throws InterruptedException {
        try (SystemTimer timer = new SystemTimer("test")) {
            CountDownLatch ran = new CountDownLatch(1);
            timer.schedule(1, () -> {
                throw new IllegalStateException("boom (expected by the test)");
            });
            timer.schedule(20, ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void cancelBeforeTheDeadlineKeepsTheTaskFromRunning() {
        try (SystemTimer timer = new SystemTimer("test")) {
            Timer.Timeout t = timer.schedule(60_000, () -> {
                throw new AssertionError("must not run");
            });
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancel()).isFalse();
        }
    }
}
