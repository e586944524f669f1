package io.herald.cli.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The read-print loop of {@code herald consume} and {@code herald dlq show}: polls a {@link RecordSource}, prints
 * each record, and stops at the first limit reached: the record count, the end of the partitions, an idle
 * timeout without records, or the output's reader going away. Without limits it runs until interrupted.
 *
 * <p>Not thread-safe: runs on the command's thread.
 */
public final class ConsumeLoop {

    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * When to stop.
     *
     * @param count     stop after this many records
     * @param idle      stop when no record arrived for this long
     * @param exitAtEnd stop when the source reached the end it had at the start
     */
    public record Limits(OptionalLong count, Optional<Duration> idle, boolean exitAtEnd) {}

    private ConsumeLoop() {
    }

    /**
     * Runs until a limit is reached; returns the number of records printed.
     *
     * @param flush flushes the output after each poll's records; false when nobody reads it any more
     */
    public static long run(RecordSource source, Consumer<ConsumerRecord<byte[], byte[]>> print, BooleanSupplier flush,
                           Limits limits, LongSupplier nanoClock) {
        long printed = 0;
        long lastRecord = nanoClock.getAsLong();
        while (true) {
            if (limits.count().isPresent() && printed >= limits.count().getAsLong()) {
                return printed;
            }
            if (limits.exitAtEnd() && source.reachedEnd()) {
                return printed;
            }
            if (limits.idle().isPresent()
                    && nanoClock.getAsLong() - lastRecord >= limits.idle().get().toNanos()) {
                return printed;
            }
            List<ConsumerRecord<byte[], byte[]>> records = source.poll(POLL);
            if (records.isEmpty()) {
                continue;
            }
            lastRecord = nanoClock.getAsLong();
            List<ConsumerRecord<byte[], byte[]>> done = new ArrayList<>(records.size());
            List<ConsumerRecord<byte[], byte[]>> left = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (limits.count().isPresent() && printed >= limits.count().getAsLong()) {
                    left.add(record);
                    continue;
                }
                print.accept(record);
                done.add(record);
                printed++;
            }
            boolean readerThere = flush.getAsBoolean();
            source.done(done, left);
            if (!readerThere) {
                return printed;
            }
        }
    }
}
