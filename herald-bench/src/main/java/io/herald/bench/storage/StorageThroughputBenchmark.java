package io.herald.bench.storage;

import io.herald.common.time.Time;
import io.herald.storage.log.FileSlice;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogReadResult;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
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
 * Throughput of the storage engine alone: appending producer batches to a partition log (validation, offset
 * stamping, segment write, index maintenance, rolls) and reading them back the way fetch does (a file region
 * transferred with {@code FileChannel.transferTo}, never copied into the heap).
 *
 * <p>Each operation moves one batch of {@code batchBytes}; MB/s = ops/s × batchBytes. Flush policy is Kafka's
 * default (no fsync per append; the page cache absorbs writes), which is what {@code dd} without
 * {@code conv=fsync} measures too; compare with {@code dd ... conv=fdatasync} for the disk itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class StorageThroughputBenchmark {

    /** Bytes of one producer batch (16 KiB is the Java producer's default batch.size). */
    @Param({"16384"})
    public int batchBytes;

    private Path dir;
    private PartitionLog log;
    private ByteBuffer template;
    private long readOffset;
    private int recordsPerBatch;
    private FileChannel sink;

    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("herald-bench");
        LogConfig config = LogConfig.from(Map.of("segment.bytes", 256 * 1024 * 1024));
        log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0), config, Time.SYSTEM, false);
        template = batch(batchBytes);
        recordsPerBatch = MemoryRecords.readableRecords(template.duplicate()).batches().iterator().next()
                .countOrNull();
        // Pre-fill for the read benchmark: 64 MiB, read round and round.
        for (int i = 0; i < (64 << 20) / batchBytes; i++) {
            log.appendAsLeader(MemoryRecords.readableRecords(template.duplicate()), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        sink = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        readOffset = 0;
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        sink.close();
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long append() {
        // A fresh copy per append: the log stamps offsets into the buffer in place, as it does with a request.
        ByteBuffer copy = ByteBuffer.allocate(template.remaining());
        copy.put(template.duplicate()).flip();
        return log.appendAsLeader(MemoryRecords.readableRecords(copy), 0).lastOffset();
    }

    @Benchmark
    public long fetch() throws IOException {
        LogReadResult read = log.read(readOffset, batchBytes, log.highWatermark(), true);
        FileSlice slice = read.slice();
        long sent = 0;
        while (sent < slice.size()) {
            sent += slice.channel().transferTo(slice.position() + sent, slice.size() - sent, sink);
        }
        readOffset = readOffset + recordsPerBatch >= log.highWatermark() ? 0 : readOffset + recordsPerBatch;
        return sent;
    }

    private static ByteBuffer batch(int targetBytes) {
        byte[] value = new byte[100];
        ByteBuffer buffer = ByteBuffer.allocate(targetBytes + 1024);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, 0L);
        long now = System.currentTimeMillis();
        while (builder.estimatedSizeInBytes() + 130 < targetBytes) {
            builder.append(now, null, value);
        }
        return builder.build().buffer();
    }
}
