package io.herald.bench.micro;

import io.herald.protocol.ApiRegistry;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import io.herald.protocol.codec.RequestDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RequestDecoder#decode}: a request frame (as kafka-clients 4.3 sends it, latest stable version) into the
 * header and the generated request data classes. Produce: one topic, 6 partitions, one 16 KiB batch each (the
 * records stay a slice of the frame, never copied). Fetch: a consumer's full fetch of one topic's 6 partitions.
 *
 * <pre>
 * java -cp herald-bench/target/classes:$(cat herald-bench/target/classpath.txt) org.openjdk.jmh.Main RequestDecode
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RequestDecodeBenchmark {
    static final int PARTITIONS = 6;
    static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40_000);

    private RequestDecoder decoder;
    private ByteBuffer produceFrame;
    private ByteBuffer fetchFrame;

    @Setup
    public void setUp() {
        ApiRegistry registry = new ApiRegistry()
                .register(decodedOnly(ApiKeys.PRODUCE))
                .register(decodedOnly(ApiKeys.FETCH));
        registry.freeze();
        decoder = new RequestDecoder(registry);
        produceFrame = frame(ApiKeys.PRODUCE, produceRequest());
        fetchFrame = frame(ApiKeys.FETCH, fetchRequest());
    }

    @Benchmark
    public Object decodeProduce() {
        return decoder.decode(produceFrame.duplicate(), CLIENT, 0L);
    }

    @Benchmark
    public Object decodeFetch() {
        return decoder.decode(fetchFrame.duplicate(), CLIENT, 0L);
    }

    static ProduceRequestData produceRequest() {
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setName("bench").setTopicId(TOPIC_ID);
        for (int p = 0; p < PARTITIONS; p++) {
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p)
                    .setRecords(MemoryRecords.readableRecords(BenchRecords.batch(1024, BenchRecords.BATCH_BYTES, -1L))));
        }
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000);
        data.topicData().add(topic);
        return data;
    }

    static FetchRequestData fetchRequest() {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic("bench").setTopicId(TOPIC_ID);
        for (int p = 0; p < PARTITIONS; p++) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(123_456L + p)
                    .setPartitionMaxBytes(1_048_576).setCurrentLeaderEpoch(0).setLogStartOffset(-1));
        }
        FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1)
                .setMaxBytes(52_428_800).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
        data.topics().add(topic);
        return data;
    }

    /** The frame payload (after the size prefix) kafka-clients would send: header + body. */
    /** Accepts every stable version kafka-clients encodes: this benchmark measures decoding, not a handler. */
    private static ServedApi decodedOnly(ApiKeys key) {
        return new ServedApi(key, VersionRange.of(key.oldestVersion(), key.latestVersion(false)),
                r -> new CompletableFuture<>());
    }

    static ByteBuffer frame(ApiKeys key, ApiMessage body) {
        short version = key.latestVersion(false);
        RequestHeader header = new RequestHeader(key, version, "producer-1", 7);
        return RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
    }
}
