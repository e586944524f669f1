package io.herald.bench.micro;

import io.herald.bench.SideBySide;
import io.herald.storage.index.OffsetIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * {@link OffsetIndex#lookup} on a memory-mapped {@code .index}: a random offset anywhere in the segment (a consumer
 * catching up from the middle) and an offset in the last few entries (a consumer at the tail, the common case).
 * 262,144 entries is a full 1 GiB segment at the default index.interval.bytes of 4096.
 *
 * <pre>
 * java -cp herald-bench/target/classes:$(cat herald-bench/target/classpath.txt) org.openjdk.jmh.Main OffsetIndexLookup
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class OffsetIndexLookupBenchmark {

    /** Entries in the index. */
    @Param({"1024", "262144"})
    public int entries;

    /** Offsets per indexed batch (16 offsets: 16 KiB batches of 1 KiB records). */
    private static final int OFFSETS_PER_ENTRY = 16;
    private static final long BASE_OFFSET = 1_000_000L;

    private Path dir;
    private OffsetIndex index;
    private final SplittableRandom random = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("herald-jmh-index");
        index = new OffsetIndex(dir.resolve("00000000000001000000.index"), BASE_OFFSET,
                entries * OffsetIndex.ENTRY_SIZE, true);
        for (int i = 1; i <= entries; i++) {
            index.append(BASE_OFFSET + (long) i * OFFSETS_PER_ENTRY - 1, i * 16_384);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        index.close();
        SideBySide.deleteTree(dir);
    }

    @Benchmark
    public int lookupRandom() {
        long offset = BASE_OFFSET + random.nextLong((long) entries * OFFSETS_PER_ENTRY);
        return index.lookup(offset).position();
    }

    @Benchmark
    public int lookupTail() {
        long offset = BASE_OFFSET + (long) entries * OFFSETS_PER_ENTRY - 1 - random.nextInt(4 * OFFSETS_PER_ENTRY);
        return index.lookup(offset).position();
    }
}
