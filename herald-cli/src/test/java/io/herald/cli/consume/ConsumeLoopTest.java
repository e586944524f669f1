package io.herald.cli.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ConsumeLoopTest {

    /** Polls hand out prepared batches; each poll advances the fake clock by its timeout. */
    private static final class ScriptedSource implements RecordSource {
        final Deque<List<ConsumerRecord<byte[], byte[]>>> batches = new ArrayDeque<>();
        final List<List<Long>> printed = new ArrayList<>();
        final List<List<Long>> unprinted = new ArrayList<>();
        final AtomicLong clock;
        boolean atEnd;

        ScriptedSource(AtomicLong clock) {
            this.clock = clock;
        }

        ScriptedSource batch(long... offsets) {
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (long o : offsets) {
                batch.add(new ConsumerRecord<>("t", 0, o, null, new byte[] {(byte) o}));
            }
            batches.add(batch);
            return this;
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> poll(Duration timeout) {
            clock.addAndGet(timeout.toNanos());
            List<ConsumerRecord<byte[], byte[]>> next = batches.poll();
            if (next == null) {
                atEnd = true;
                return List.of();
            }
            return next;
        }

        @Override
        public void done(List<ConsumerRecord<byte[], byte[]>> p, List<ConsumerRecord<byte[], byte[]>> u) {
            printed.add(p.stream().map(ConsumerRecord::offset).toList());
            unprinted.add(u.stream().map(ConsumerRecord::offset).toList());
        }

        @Override
        public boolean reachedEnd() {
            return atEnd;
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void close() {
        }
    }

    private static ConsumeLoop.Limits limits(Long count, Duration idle, boolean exitAtEnd) {
        return new ConsumeLoop.Limits(count == null ? OptionalLong.empty() : OptionalLong.of(count),
                Optional.ofNullable(idle), exitAtEnd);
    }

    @Test
    void aCountThatEndsInsideAPollHandsBackTheRestUnprinted() {
        AtomicLong clock = new AtomicLong();
        ScriptedSource source = new ScriptedSource(clock).batch(0, 1).batch(2, 3, 4).batch(5);
        List<Long> out = new ArrayList<>();
        long n = ConsumeLoop.run(source, r -> out.add(r.offset()), () -> true, limits(4L, null, false), clock::get);
        assertThat(n).isEqualTo(4);
        assertThat(out).containsExactly(0L, 1L, 2L, 3L);
        assertThat(source.printed).containsExactly(List.of(0L, 1L), List.of(2L, 3L));
        assertThat(source.unprinted).containsExactly(List.of(), List.of(4L));
        assertThat(source.batches).hasSize(1); // the third poll never happened
    }

    @Test
    void exitAtEndStopsOnceTheSourceIsDrained() {
        AtomicLong clock = new AtomicLong();
        ScriptedSource source = new ScriptedSource(clock).batch(0).batch(1);
        assertThat(ConsumeLoop.run(source, r -> { }, () -> true, limits(null, null, true), clock::get)).isEqualTo(2);
    }

    @Test
    void anIdleTimeoutCountsFromTheLastRecord() {
        AtomicLong clock = new AtomicLong();
        ScriptedSource source = new ScriptedSource(clock).batch(0);
        long start = clock.get();
        assertThat(ConsumeLoop.run(source, r -> { }, () -> true, limits(null, Duration.ofSeconds(1), false),
                clock::get)).isEqualTo(1);
        // One poll with the record, then empty polls of 200 ms each until a second without records passed.
        assertThat(Duration.ofNanos(clock.get() - start)).isBetween(Duration.ofMillis(1200), Duration.ofMillis(1400));
    }

    @Test
    void stopsWhenNobodyReadsTheOutputAfterHandingBackThatPoll() {
        AtomicLong clock = new AtomicLong();
        ScriptedSource source = new ScriptedSource(clock).batch(0, 1).batch(2);
        assertThat(ConsumeLoop.run(source, r -> { }, () -> false, limits(null, null, false), clock::get))
                .isEqualTo(2);
        assertThat(source.printed).containsExactly(List.of(0L, 1L));
    }
}
