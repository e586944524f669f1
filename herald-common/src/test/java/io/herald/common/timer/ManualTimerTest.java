package io.herald.common.timer;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTimerTest {
    private final ManualTime time = new ManualTime(0);
    private final ManualTimer timer = new ManualTimer(time);

    @Test
    void tasksRunInDeadlineOrderAndSeeTheirDeadlineAsTheTime() {
        List<String> ran = new ArrayList<>();
        timer.schedule(30, () -> ran.add("c@" + time.milliseconds()));
        timer.schedule(10, () -> ran.add("a@" + time.milliseconds()));
        timer.schedule(10, () -> ran.add("b@" + time.milliseconds()));
        timer.advance(25);
        assertThat(ran).containsExactly("a@10", "b@10");
        assertThat(time.milliseconds()).isEqualTo(25);
        timer.advance(5);
        assertThat(ran).containsExactly("a@10", "b@10", "c@30");
    }

    @Test
    void aTaskScheduledByATaskFiresInTheSameAdvanceWhenDue() {
        List<Long> ran = new ArrayList<>();
        timer.schedule(10, () -> timer.schedule(10, () -> ran.add(time.milliseconds())));
        timer.advance(20);
        assertThat(ran).containsExactly(20L);
    }

    @Test
    void aCancelledTaskNeverRunsAndLeavesNothingBehind() {
        List<String> ran = new ArrayList<>();
        Timer.Timeout t = timer.schedule(10, () -> ran.add("x"));
        assertThat(t.cancel()).isTrue();
        assertThat(t.cancel()).isFalse();
        assertThat(timer.pending()).isZero();
        timer.advance(100);
        assertThat(ran).isEmpty();
    }
}
