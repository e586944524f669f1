package io.herald.bench.micro;

import io.herald.bench.SideBySide;
import io.herald.broker.ttl.FetchExpiry;
import io.herald.common.time.Time;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.FileSlice;
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
 * {@code PartitionLog.read} as a consumer's fetch calls it for one partition: find the batch holding the fetch
 * offset (offset index + header reads) and the end of the slice within {@code max.partition.fetch.bytes}
 * (1 MiB by default), over 64 MiB of 16 KiB producer batches of 1 KiB records in the page cache. Returns the
 * slice only (the bytes are sent with sendfile elsewhere), so this is the per-partition cost of building a fetch;
 * {@code readWithTtl} adds message TTL's look at the batches.
 *
 * <pre>
 * java -cp herald-bench/target/classes:$(cat herald-bench/target/classpath.txt) org.openjdk.jmh.Main FetchRead
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class FetchReadBenchmark {
    private static final long TTL_MS = TimeUnit.HOURS.toMillis(1);

    /** max.partition.fetch.bytes of the fetch. */
    @Param({"16384", "1048576"})
    public int maxBytes;

    private Path dir;
    private PartitionLog log;
    private long offset;
    private int recordsPerBatch;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("herald-jmh-read");
        log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0),
                LogConfig.from(Map.of("segment.bytes", 256 * 1024 * 1024)), Time.SYSTEM, false);
        ByteBuffer template = BenchRecords.batch(1024, BenchRecords.BATCH_BYTES, -1L);
        recordsPerBatch = MemoryRecords.readableRecords(template.duplicate()).batches().iterator().next().countOrNull();
        for (int i = 0; i < (64 << 20) / template.remaining(); i++) {
            ByteBuffer copy = ByteBuffer.allocate(template.remaining()).put(template.duplicate()).flip();
            log.appendAsLeader(MemoryRecords.readableRecords(copy), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    @TearDown
    public void tearDown() throws IOException {
        log.close();
        SideBySide.deleteTree(dir);
    }

    @Benchmark
    public int read() {
        return nextRead().size();
    }

    /**
     * The same read on a topic with {@code herald.message.ttl.ms} (an hour; every record live, the common case):
     * what {@link FetchExpiry} adds is the TTL's cost per fetch.
     */
    @Benchmark
    public Object readWithTtl() throws IOException {
        return FetchExpiry.apply(nextRead(), TTL_MS, System.currentTimeMillis(), from -> from);
    }

    private FileSlice nextRead() {
        FileSlice slice = log.read(offset, maxBytes, log.highWatermark(), true).slice();
        // The next fetch starts a few batches on, wrapping before the end so every read is a full one.
        offset += 7L * recordsPerBatch;
        if (offset >= log.highWatermark() - (2L * maxBytes / 1000)) {
            offset = 0;
        }
        return slice;
    }
}
