package io.herald.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void rendersFractionAmountsRateAndEta() {
        String line = ProgressBar.render("produce", 5 * 1024 * 1024, 10 * 1024 * 1024, ProgressBar.Unit.BYTES,
                TimeUnit.SECONDS.toNanos(2));
        assertThat(line).isEqualTo("produce [============>           ]  50%  5.0 MiB / 10.0 MiB  2.5 MiB/s  ETA 0:02");
    }

    @Test
    void noEstimateInTheFirstSecond() {
        assertThat(ProgressBar.render("p", 1, 100, ProgressBar.Unit.RECORDS, TimeUnit.MILLISECONDS.toNanos(20)))
                .endsWith("ETA --:--");
    }

    @Test
    void withoutATotalShowsCountAndRateOnly() {
        assertThat(ProgressBar.render("produce", 1500, 0, ProgressBar.Unit.RECORDS, TimeUnit.SECONDS.toNanos(1)))
                .isEqualTo("produce 1,500 rec  1,500 rec/s");
    }

    @Test
    void completeBarHasNoArrowAndZeroEta() {
        assertThat(ProgressBar.render("replay", 10, 10, ProgressBar.Unit.RECORDS, TimeUnit.SECONDS.toNanos(1)))
                .isEqualTo("replay [========================] 100%  10 rec / 10 rec  10 rec/s  ETA 0:00");
    }

    @Test
    void redrawsAtMostEveryHundredMillisAndFinishesTheLine() {
        AtomicLong now = new AtomicLong();
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out, true), "x", 100, ProgressBar.Unit.RECORDS, now::get);
        bar.update(1);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
        bar.update(2);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(60));
        bar.update(3);
        bar.finish();
        String[] draws = out.toString().split("\r", -1);
        assertThat(draws).hasSize(4); // "", first, third, final
        assertThat(draws[1]).contains(" 1 rec / 100 rec");
        assertThat(draws[2]).contains(" 3 rec / 100 rec");
        assertThat(out.toString()).endsWith(System.lineSeparator());
    }

    @Test
    void clockFormatsMinutesAndHours() {
        assertThat(ProgressBar.clock(5)).isEqualTo("0:05");
        assertThat(ProgressBar.clock(3725)).isEqualTo("1:02:05");
    }
}
