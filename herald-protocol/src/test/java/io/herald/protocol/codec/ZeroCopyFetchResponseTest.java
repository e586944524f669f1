package io.herald.protocol.codec;

import static io.herald.protocol.Frames.buf;
import static io.herald.protocol.Frames.header;
import static io.herald.protocol.Frames.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.ApiRegistry;
import io.herald.protocol.FileRegionRecords;
import io.herald.protocol.Frames;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.VersionRange;
import io.herald.protocol.server.KafkaChannelInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroCopyFetchResponseTest {

    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final int FILE_OFFSET = 37;

    @TempDir
    Path dir;

    private static MemoryRecords records() {
        return MemoryRecords.withRecords(42L, Compression.NONE,
            new SimpleRecord(1L, "k1".getBytes(), "v1".getBytes()),
            new SimpleRecord(2L, "k2".getBytes(), "value two".getBytes()));
    }

    /** Partition 0 carries records, partition 1 has none (null records: the protocol's null encoding). */
    private static FetchResponseData fetchResponse(BaseRecords records) {
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
            .setTopic("events").setTopicId(TOPIC_ID);
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0)
            .setHighWatermark(44).setLastStableOffset(44).setLogStartOffset(0).setRecords(records));
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(1)
            .setHighWatermark(0).setRecords(null));
        return new FetchResponseData().setSessionId(0).setResponses(new ArrayList<>(List.of(topic)));
    }

    private FileChannel segmentWith(MemoryRecords records) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve("00000000000000000000.log"),
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.write(ByteBuffer.wrap(new byte[FILE_OFFSET]), 0);
        channel.write(records.buffer(), FILE_OFFSET);
        channel.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), FILE_OFFSET + records.sizeInBytes());
        return channel;
    }

    private static byte[] kafkaClientsBytes(short version, int correlationId) {
        RequestHeader header = header(ApiKeys.FETCH, version, correlationId);
        ByteBuffer payload = RequestUtils.serialize(header.toResponseHeader().data(),
            ApiKeys.FETCH.responseHeaderVersion(version), fetchResponse(records()), version);
        return Frames.prefixed(payload);
    }

    @Test
    void fileRegionRecordsAreSentAsAFileRegionWithTheSameBytesKafkaClientsWouldWrite() throws IOException {
        MemoryRecords records = records();
        try (FileChannel segment = segmentWith(records)) {
            for (short version : new short[] {4, 11, 12, ApiKeys.FETCH.latestVersion(false)}) {
                FileRegionRecords fileRecords = new FileRegionRecords(segment, FILE_OFFSET, records.sizeInBytes());
                List<Object> parts = ResponseEncoder.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
                    ApiKeys.FETCH, version, 9, fetchResponse(fileRecords));

                assertThat(parts).hasSize(3);
                assertThat(parts.get(0)).isInstanceOf(ByteBuf.class);
                assertThat(parts.get(1)).isInstanceOf(FileRegion.class);
                assertThat(((FileRegion) parts.get(1)).count()).isEqualTo(records.sizeInBytes());
                assertThat(parts.get(2)).isInstanceOf(ByteBuf.class);
                byte[] wire = Frames.bytesOf(parts);

                assertThat(wire).as("v%d", version).isEqualTo(kafkaClientsBytes(version, 9));
                FetchResponse parsed = (FetchResponse) AbstractResponse.parseResponse(
                    ByteBuffer.wrap(wire, 4, wire.length - 4), header(ApiKeys.FETCH, version, 9));
                MemoryRecords parsedRecords = (MemoryRecords) parsed.data().responses().getFirst().partitions().getFirst().records();
                assertThat(parsedRecords.buffer()).isEqualTo(records.buffer());
                assertThat(segment.isOpen()).as("releasing the region leaves storage's channel open").isTrue();
            }
        }
    }

    @Test
    void fetchHandlerReturningFileRegionRecordsWritesAFileRegionOnTheChannel() throws IOException {
        MemoryRecords records = records();
        short version = ApiKeys.FETCH.latestVersion(false);
        try (FileChannel segment = segmentWith(records)) {
            List<Object> outbound = serveOneFetch(new FileRegionRecords(segment, FILE_OFFSET, records.sizeInBytes()),
                version);
            assertThat(outbound).anyMatch(FileRegion.class::isInstance);
            assertThat(Frames.bytesOf(outbound)).isEqualTo(kafkaClientsBytes(version, 9));
            assertThat(segment.isOpen()).isTrue();
        }
    }

    @Test
    void fetchHandlerReturningMemoryRecordsWritesTheSameBytesAsKafkaClients() {
        short version = ApiKeys.FETCH.latestVersion(false);
        List<Object> outbound = serveOneFetch(records(), version);
        assertThat(Frames.bytesOf(outbound)).isEqualTo(kafkaClientsBytes(version, 9));
    }

    /** Serves one Fetch (correlation id 9) whose handler answers with {@code records}; the frame's parts. */
    private static List<Object> serveOneFetch(BaseRecords records, short version) {
        Function<Object, CompletableFuture<Response>> fetch = ignored -> CompletableFuture.completedFuture(
            new Response.Send(fetchResponse(records)));
        ApiRegistry registry = new ApiRegistry().register(new ServedApi(ApiKeys.FETCH,
            VersionRange.of(ApiKeys.FETCH.oldestVersion(), version), fetch::apply));
        EmbeddedChannel channel = new EmbeddedChannel();
        KafkaChannelInitializer.configure(channel.pipeline(), ServerConfig.defaults("127.0.0.1", 0), registry, System::nanoTime);

        channel.writeInbound(buf(request(header(ApiKeys.FETCH, version, 9),
            new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20))));

        List<Object> outbound = new ArrayList<>();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            outbound.add(msg);
        }
        assertThat(channel.isOpen()).as("the connection stays open").isTrue();
        return outbound;
    }

    @Test
    void fileRegionRecordsSendTransfersTheRegion() throws IOException {
        MemoryRecords records = records();
        try (FileChannel segment = segmentWith(records)) {
            FileRegionRecords fileRecords = new FileRegionRecords(segment, FILE_OFFSET, records.sizeInBytes());
            assertThat(fileRecords.toSend().size()).isEqualTo(records.sizeInBytes());
        }
    }
}
