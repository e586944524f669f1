package io.herald.bench.micro;

import io.herald.bench.SideBySide;
import io.herald.protocol.FileRegionRecords;
import io.herald.protocol.codec.ResponseEncoder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ResponseEncoder#encode}: a Fetch response for 6 partitions whose records are file regions of a segment
 * (the zero-copy path: only the framing goes into a buffer), and a Produce response for 6 partitions. Measures
 * building the parts (size pass, header, body, slices, regions) and releasing them, not the socket write.
 *
 * <pre>
 * java -cp herald-bench/target/classes:$(cat herald-bench/target/classpath.txt) org.openjdk.jmh.Main FetchResponseEncode
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class FetchResponseEncodeBenchmark {
    private static final int REGION_BYTES = 1_048_576;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private Path dir;
    private FileChannel segment;
    private short fetchVersion;
    private short produceVersion;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("herald-jmh-fetch");
        segment = FileChannel.open(dir.resolve("00000000000000000000.log"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        segment.write(ByteBuffer.allocate(RequestDecodeBenchmark.PARTITIONS * REGION_BYTES), 0);
        fetchVersion = ApiKeys.FETCH.latestVersion(false);
        produceVersion = ApiKeys.PRODUCE.latestVersion(false);
    }

    @TearDown
    public void tearDown() throws IOException {
        segment.close();
        SideBySide.deleteTree(dir);
    }

    @Benchmark
    public int encodeFetch() {
        // Built per call, as the fetch path does for every response.
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                .setTopic("bench").setTopicId(RequestDecodeBenchmark.TOPIC_ID);
        for (int p = 0; p < RequestDecodeBenchmark.PARTITIONS; p++) {
            topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(p)
                    .setHighWatermark(1_000_000).setLastStableOffset(1_000_000).setLogStartOffset(0)
                    .setRecords(new FileRegionRecords(segment, (long) p * REGION_BYTES, REGION_BYTES)));
        }
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0)
                .setResponses(List.of(topic));
        return release(ResponseEncoder.encode(alloc, ApiKeys.FETCH, fetchVersion, 7, response));
    }

    @Benchmark
    public int encodeProduce() {
        ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse()
                .setName("bench").setTopicId(RequestDecodeBenchmark.TOPIC_ID);
        for (int p = 0; p < RequestDecodeBenchmark.PARTITIONS; p++) {
            topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(p)
                    .setBaseOffset(1_000_000L + p).setLogAppendTimeMs(-1).setLogStartOffset(0));
        }
        ProduceResponseData response = new ProduceResponseData();
        response.responses().add(topic);
        return release(ResponseEncoder.encode(alloc, ApiKeys.PRODUCE, produceVersion, 7, response));
    }

    private static int release(List<Object> parts) {
        int n = parts.size();
        parts.forEach(ReferenceCountUtil::release);
        return n;
    }
}
