package io.herald.broker.delay;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.delay.TimerRecord.ScheduleMeta;
import io.herald.broker.delay.TimerState.ScheduledRecord;
import io.herald.common.time.ManualTime;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Duplicate detection of the timer state: what it remembers of each producer, and for how long. */
class TimerStateTest {
    private static final TopicPartition TARGET = new TopicPartition("orders", 0);
    private final ManualTime time = new ManualTime(0);

    @TempDir
    Path dir;

    private static List<ScheduledRecord> batch(long offset, long producerId, int sequence, long loggedMs) {
        return List.of(new ScheduledRecord(offset, new ScheduleMeta(TARGET, loggedMs + 60_000, producerId,
                (short) 0, sequence, loggedMs, -1), loggedMs));
    }

    @Test
    void aRetryIsADuplicateAndAProducerIdleForADayIsForgotten() {
        TimerState state = new TimerState(new TimerIndex(dir.resolve("index"), TimerIndex.NEAR_MS), time);
        assertThat(state.schedule(batch(0, 1, 0, 1_000))).isTrue();
        assertThat(state.schedule(batch(1, 1, 0, 2_000))).as("the retry").isFalse();
        assertThat(state.schedule(batch(2, 2, 0, 3_000))).isTrue();
        assertThat(state.rememberedProducers()).isEqualTo(2);

        // Producer 2 keeps producing; producer 1 stays idle for more than a day and is forgotten.
        long later = 2_000 + TimerState.PRODUCER_EXPIRY_MS + 1; // a day after producer 1 was last heard of
        assertThat(state.schedule(batch(3, 2, 1, later))).isTrue();
        assertThat(state.rememberedProducers()).isEqualTo(1);
        assertThat(state.pending()).isEqualTo(3);
        assertThat(state.duplicates()).isEqualTo(1);
        state.close();
    }

    @Test
    void theTrimPointKeepsAnHourOfRecordsAndEveryPendingOne() {
        TimerState state = new TimerState(new TimerIndex(dir.resolve("index"), TimerIndex.NEAR_MS), time);
        // A record every 10 s for two hours: offsets 0..719, offset i logged at i * 10 s.
        for (int i = 0; i < 720; i++) {
            state.logged(i, i * 10_000L);
        }
        long now = 720 * 10_000L;
        long point = state.trimPoint(now, 720).orElseThrow();
        long keptFrom = now - TimerState.SCHEDULES_KEPT_MS;
        assertThat(point * 10_000L).as("nothing logged within the hour goes").isLessThanOrEqualTo(keptFrom);
        assertThat(keptFrom - point * 10_000L).as("at most a minute more is kept").isLessThanOrEqualTo(60_000L);

        // A pending record holds the log start at it, however old.
        state.schedule(batch(100, -1, -1, 1_000_000));
        assertThat(state.trimPoint(now, 720)).hasValue(100);
        state.close();
    }

    @Test
    void nothingGoesWhileEverythingIsRecent() {
        TimerState state = new TimerState(new TimerIndex(dir.resolve("index"), TimerIndex.NEAR_MS), time);
        state.logged(0, 1_000);
        state.logged(1, 2_000);
        assertThat(state.trimPoint(3_000, 2)).isEmpty();
        assertThat(state.trimPoint(61_000 + TimerState.SCHEDULES_KEPT_MS - 1, 2)).isEmpty();
        assertThat(state.trimPoint(61_000 + TimerState.SCHEDULES_KEPT_MS, 2)).as("a minute later to be sure")
                .hasValue(2);
        state.close();
    }
}
