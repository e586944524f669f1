package io.herald.bench.micro;

import io.herald.bench.SideBySide;
import io.herald.common.time.Time;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the produce path costs per 16 KiB producer batch in storage: {@code appendAsLeader} (validation: bounds,
 * magic, CRC32C, record count, idempotent sequence; offset and epoch stamping; the segment write into the page
 * cache; index maintenance), next to its largest part, the CRC32C check alone ({@code isValid}), which Kafka pays
 * as well. The difference is Herald's own overhead.
 *
 * <pre>
 * java -cp herald-bench/target/classes:$(cat herald-bench/target/classpath.txt) org.openjdk.jmh.Main AppendValidation
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class AppendValidationBenchmark {

    /** Bytes of each record value; the batch is filled to the producer's default 16 KiB. */
    @Param({"100", "1024"})
    public int recordSize;

    /** Whether the batch carries a producer id (acks=all: idempotence on, sequence checks run). */
    @Param({"false", "true"})
    public boolean idempotent;

    private Path dir;
    private PartitionLog log;
    private ByteBuffer template;
    private ByteBuffer copy;
    private int sequence;

    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("herald-jmh-append");
        log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0),
                LogConfig.from(Map.of("segment.bytes", 256 * 1024 * 1024)), Time.SYSTEM, false);
        template = BenchRecords.batch(recordSize, BenchRecords.BATCH_BYTES, idempotent ? 1000L : -1L);
        copy = ByteBuffer.allocate(template.remaining());
        sequence = 0;
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        log.close();
        SideBySide.deleteTree(dir);
    }

    @Benchmark
    public long appendAsLeader() {
        // A fresh copy per append: the log stamps offsets into the buffer in place, as it does with a request.
        copy.clear();
        copy.put(template.duplicate()).flip();
        MemoryRecords records = MemoryRecords.readableRecords(copy);
        if (idempotent) {
            // The next in-sequence batch of the same producer, as an idempotent producer sends it.
            int count = records.batches().iterator().next().countOrNull();
            copy.putInt(53, sequence);
            sequence += count;
            rewriteCrc(copy);
        }
        return log.appendAsLeader(records, 0).lastOffset();
    }

    @Benchmark
    public boolean crcOnly() {
        return MemoryRecords.readableRecords(template.duplicate()).batches().iterator().next().isValid();
    }

    /** Recomputes the CRC32C (bytes 21.. of the batch) after the base sequence was changed. */
    private static void rewriteCrc(ByteBuffer batch) {
        long crc = org.apache.kafka.common.utils.Crc32C.compute(batch, 21, batch.limit() - 21);
        batch.putInt(17, (int) crc);
    }
}
