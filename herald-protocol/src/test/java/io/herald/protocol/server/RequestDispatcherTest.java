package io.herald.protocol.server;

import static io.herald.protocol.Frames.buf;
import static io.herald.protocol.Frames.concat;
import static io.herald.protocol.Frames.drainOutbound;
import static io.herald.protocol.Frames.header;
import static io.herald.protocol.Frames.request;
import static io.herald.protocol.Frames.splitFrames;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.ApiHandler;
import io.herald.protocol.ApiRegistry;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.RequestThrottle;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.VersionRange;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

class RequestDispatcherTest {

    private static final short METADATA_VERSION = 12;

    private final List<KafkaRequest> dispatched = new ArrayList<>();
    private final List<CompletableFuture<Response>> futures = new ArrayList<>();

    private EmbeddedChannel channel(ApiRegistry registry) {
        return channel(registry, 600_000);
    }

    private EmbeddedChannel channel(ApiRegistry registry, int idleMs) {
        EmbeddedChannel channel = new EmbeddedChannel();
        KafkaChannelInitializer.configure(channel.pipeline(),
            new ServerConfig("127.0.0.1", 0, 1, 1024 * 1024, idleMs), registry, System::nanoTime);
        return channel;
    }

    /** Metadata up to the version these tests send. */
    private static ServedApi metadata(ApiHandler handler) {
        return new ServedApi(ApiKeys.METADATA, VersionRange.of(0, METADATA_VERSION), handler);
    }

    /** Metadata served by a handler whose futures the test completes. */
    private ApiRegistry deferredMetadataRegistry() {
        return new ApiRegistry().register(metadata(request -> {
            dispatched.add(request);
            CompletableFuture<Response> future = new CompletableFuture<>();
            futures.add(future);
            return future;
        }));
    }

    private static byte[] metadataRequest(int correlationId) {
        return request(header(ApiKeys.METADATA, METADATA_VERSION, correlationId),
            new MetadataRequestData().setTopics(null));
    }

    private static Response metadataResponse() {
        return new Response.Send(new MetadataResponseData().setClusterId("herald"));
    }

    private static List<Integer> correlationIds(byte[] stream, ApiKeys key, short version) {
        return splitFrames(stream).stream()
            .map(frame -> ResponseHeader.parse(frame, key.responseHeaderVersion(version)).correlationId())
            .toList();
    }

    @Test
    void apiVersionsAtEveryVersionListsTheRegistryRanges() {
        ApiRegistry registry = new ApiRegistry()
            .register(new ServedApi(ApiKeys.METADATA, VersionRange.of(4, 12),
                request -> CompletableFuture.completedFuture(metadataResponse())))
            .register(new ServedApi(ApiKeys.PRODUCE, VersionRange.of(3, 13),
                request -> CompletableFuture.completedFuture(new Response.NoResponse())));
        EmbeddedChannel channel = channel(registry);
        for (short version = 0; version <= registry.versions(ApiKeys.API_VERSIONS).orElseThrow().max(); version++) {
            RequestHeader header = header(ApiKeys.API_VERSIONS, version, 100 + version);
            ApiVersionsRequestData body = new ApiVersionsRequestData()
                .setClientSoftwareName("herald-test").setClientSoftwareVersion("1.0");
            channel.writeInbound(buf(request(header, body)));

            ByteBuffer frame = splitFrames(drainOutbound(channel)).getFirst();
            ApiVersionsResponse response = (ApiVersionsResponse) AbstractResponse.parseResponse(frame, header);
            assertThat(response.data().errorCode()).as("v%d", version).isEqualTo(Errors.NONE.code());
            Map<Short, String> ranges = response.data().apiKeys().stream()
                .collect(Collectors.toMap(ApiVersionsResponseData.ApiVersion::apiKey,
                    v -> v.minVersion() + ".." + v.maxVersion()));
            assertThat(ranges).containsOnly(
                Map.entry(ApiKeys.API_VERSIONS.id, "0..4"),
                Map.entry(ApiKeys.SASL_HANDSHAKE.id, "0..1"),
                Map.entry(ApiKeys.SASL_AUTHENTICATE.id, "0..2"),
                Map.entry(ApiKeys.METADATA.id, "4..12"),
                Map.entry(ApiKeys.PRODUCE.id, "3..13"));
        }
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void apiVersionsNewerThanSupportedIsAnsweredWithUnsupportedVersionAtV0() {
        EmbeddedChannel channel = channel(new ApiRegistry().register(metadata(r -> null)));
        // A future client: header v2 with version 99 and a body we cannot know.
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.API_VERSIONS.id)
            .setRequestApiVersion((short) 99).setCorrelationId(7).setClientId("future-client");
        ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header, (short) 2).buffer();
        ByteBuffer payload = ByteBuffer.allocate(headerBytes.remaining() + 5).put(headerBytes).put(new byte[] {1, 2, 3, 4, 0});
        channel.writeInbound(buf(io.herald.protocol.Frames.prefixed(payload.flip())));

        ByteBuffer frame = splitFrames(drainOutbound(channel)).getFirst();
        assertThat(ResponseHeader.parse(frame, (short) 0).correlationId()).isEqualTo(7);
        ApiVersionsResponse response = (ApiVersionsResponse) AbstractResponse.parseResponse(
            ApiKeys.API_VERSIONS, new ByteBufferAccessor(frame), (short) 0);
        assertThat(response.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(response.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion())
            .isEqualTo(ApiKeys.API_VERSIONS.latestVersion(false));
        assertThat(response.data().apiKeys().find(ApiKeys.METADATA.id)).isNotNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void apiVersionsWithInvalidSoftwareNameIsAnsweredWithInvalidRequest() {
        EmbeddedChannel channel = channel(new ApiRegistry());
        RequestHeader header = header(ApiKeys.API_VERSIONS, (short) 3, 1);
        channel.writeInbound(buf(request(header, new ApiVersionsRequestData()
            .setClientSoftwareName("-bad name").setClientSoftwareVersion("1.0"))));
        ByteBuffer frame = splitFrames(drainOutbound(channel)).getFirst();
        ApiVersionsResponse response = (ApiVersionsResponse) AbstractResponse.parseResponse(frame, header);
        assertThat(response.data().errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void secondRequestIsDispatchedOnlyAfterTheFirstResponseIsWritten() throws Exception {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2))));

        assertThat(dispatched).extracting(r -> r.correlationId()).containsExactly(1);
        assertThat(channel.config().isAutoRead()).as("reading paused while a request is in flight").isFalse();
        assertThat(drainOutbound(channel)).isEmpty();

        Thread completer = new Thread(() -> futures.get(0).complete(metadataResponse()));
        completer.start();
        completer.join();
        channel.runPendingTasks();

        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION)).containsExactly(1);
        assertThat(dispatched).extracting(r -> r.correlationId()).containsExactly(1, 2);

        futures.get(1).complete(metadataResponse());
        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION)).containsExactly(2);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void responsesLeaveInRequestOrderWhenALaterRequestWouldCompleteFirst() {
        CompletableFuture<Response> slow = new CompletableFuture<>();
        List<Integer> handled = new ArrayList<>();
        ApiRegistry registry = new ApiRegistry().register(metadata(request -> {
            handled.add(request.correlationId());
            return request.correlationId() == 1 ? slow : CompletableFuture.completedFuture(metadataResponse());
        }));
        EmbeddedChannel channel = channel(registry);
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2), metadataRequest(3))));
        assertThat(handled).containsExactly(1);
        assertThat(drainOutbound(channel)).isEmpty();

        slow.complete(metadataResponse());
        assertThat(handled).containsExactly(1, 2, 3);
        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION)).containsExactly(1, 2, 3);
    }

    @Test
    void noResponseWritesNothingAndUnblocksTheNextRequest() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2))));
        futures.get(0).complete(new Response.NoResponse());
        assertThat(dispatched).hasSize(2);
        futures.get(1).complete(metadataResponse());
        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION)).containsExactly(2);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void closeResponseClosesTheConnection() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2))));
        futures.get(0).complete(new Response.Close("test says so"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(dispatched).hasSize(1);
        assertThat(drainOutbound(channel)).isEmpty();
    }

    @Test
    void handlerFailureClosesTheConnection() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2))));
        futures.get(0).completeExceptionally(new IllegalStateException("handler bug"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(dispatched).hasSize(1);
    }

    @Test
    void handlerThrowingClosesTheConnection() {
        EmbeddedChannel channel = channel(new ApiRegistry().register(metadata(request -> {
            throw new IllegalStateException("handler bug");
        })));
        channel.writeInbound(buf(metadataRequest(1)));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void responseOfTheWrongApiClosesTheConnection() {
        EmbeddedChannel channel = channel(new ApiRegistry().register(metadata(
            request -> CompletableFuture.completedFuture(new Response.Send(new ApiVersionsResponseData())))));
        channel.writeInbound(buf(metadataRequest(1)));
        assertThat(channel.isOpen()).isFalse();
        assertThat(drainOutbound(channel)).isEmpty();
    }

    @Test
    void garbageBodyClosesTheConnection() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        byte[] valid = metadataRequest(1);
        // keep the header, replace the body with an absurd topics array length
        ByteBuffer headerOnly = MessageUtil.toByteBufferAccessor(header(ApiKeys.METADATA, METADATA_VERSION, 1).data(),
            ApiKeys.METADATA.requestHeaderVersion(METADATA_VERSION)).buffer();
        ByteBuffer payload = ByteBuffer.allocate(headerOnly.remaining() + 3)
            .put(headerOnly).put(new byte[] {(byte) 0xff, (byte) 0xff, 0x7f}).flip();
        assertThat(valid.length).isGreaterThan(4);
        channel.writeInbound(buf(io.herald.protocol.Frames.prefixed(payload)));
        assertThat(channel.isOpen()).isFalse();
        assertThat(dispatched).isEmpty();
    }

    @Test
    void truncatedHeaderClosesTheConnection() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        // api key METADATA, version 12, then the frame ends inside the correlation id
        channel.writeInbound(Unpooled.buffer().writeInt(6).writeShort(ApiKeys.METADATA.id).writeShort(12).writeShort(0));
        assertThat(channel.isOpen()).isFalse();
        assertThat(dispatched).isEmpty();
    }

    @Test
    void unknownApiKeyClosesTheConnection() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(Unpooled.buffer().writeInt(10).writeShort(999).writeShort(0).writeInt(1).writeShort(-1));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void apiNotInTheRegistryClosesTheConnection() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(buf(request(header(ApiKeys.FIND_COORDINATOR, (short) 4, 1),
            new org.apache.kafka.common.message.FindCoordinatorRequestData())));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void versionOutsideTheRegisteredRangeClosesTheConnection() {
        EmbeddedChannel channel = channel(new ApiRegistry().register(new ServedApi(ApiKeys.METADATA, VersionRange.of(4, 10), r -> null)));
        channel.writeInbound(buf(metadataRequest(1)));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void goodRequestAheadOfGarbageIsStillAnswered() {
        EmbeddedChannel channel = channel(deferredMetadataRegistry());
        channel.writeInbound(buf(concat(metadataRequest(1), new byte[] {0, 0, 0, 2, 1, 1})));
        assertThat(channel.isOpen()).isTrue();
        futures.get(0).complete(metadataResponse());
        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION)).containsExactly(1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void metadataResponseParsesWithKafkaClients() {
        EmbeddedChannel channel = channel(new ApiRegistry().register(metadata(
            request -> CompletableFuture.completedFuture(metadataResponse()))));
        RequestHeader header = header(ApiKeys.METADATA, METADATA_VERSION, 5);
        channel.writeInbound(buf(request(header, new MetadataRequestData().setTopics(null))));
        MetadataResponse response = (MetadataResponse) AbstractResponse.parseResponse(
            splitFrames(drainOutbound(channel)).getFirst(), header);
        assertThat(response.data().clusterId()).isEqualTo("herald");
    }

    @Test
    void idleConnectionIsClosed() {
        EmbeddedChannel channel = channel(new ApiRegistry(), 1_000);
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void throttledConnectionReadsNoRequestUntilTheMuteEnds() {
        List<Long> handlerNanos = new ArrayList<>();
        ApiRegistry registry = deferredMetadataRegistry().throttle((request, response, nanos) -> {
            handlerNanos.add(nanos);
            return new RequestThrottle.Throttled(response, request.correlationId() == 1 ? 500 : 0);
        });
        EmbeddedChannel channel = channel(registry);
        channel.freezeTime();
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2))));
        futures.get(0).complete(metadataResponse());

        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION))
            .as("the throttled answer leaves at once").containsExactly(1);
        assertThat(dispatched).as("muted: the next request waits").hasSize(1);
        assertThat(channel.config().isAutoRead()).isFalse();

        channel.advanceTimeBy(499, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(dispatched).hasSize(1);

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(dispatched).as("the mute is over").hasSize(2);
        futures.get(1).complete(metadataResponse());
        assertThat(correlationIds(drainOutbound(channel), ApiKeys.METADATA, METADATA_VERSION)).containsExactly(2);
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(handlerNanos).hasSize(2).allSatisfy(n -> assertThat(n).isNotNegative());
    }

    @Test
    void throttleMayRewriteTheAnswerAndMuteAfterNoResponse() {
        ApiRegistry registry = deferredMetadataRegistry().throttle((request, response, nanos) ->
            request.correlationId() == 1 ? new RequestThrottle.Throttled(new Response.NoResponse(), 200)
                : new RequestThrottle.Throttled(new Response.Send(new MetadataResponseData().setClusterId("other")
                    .setThrottleTimeMs(7)), 0));
        EmbeddedChannel channel = channel(registry);
        channel.freezeTime();
        channel.writeInbound(buf(concat(metadataRequest(1), metadataRequest(2))));
        futures.get(0).complete(metadataResponse());
        assertThat(drainOutbound(channel)).isEmpty();
        assertThat(dispatched).hasSize(1);

        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        futures.get(1).complete(metadataResponse());
        ByteBuffer frame = splitFrames(drainOutbound(channel)).getFirst();
        MetadataResponse response = (MetadataResponse) AbstractResponse.parseResponse(frame,
            header(ApiKeys.METADATA, METADATA_VERSION, 2));
        assertThat(response.data().clusterId()).isEqualTo("other");
        assertThat(response.throttleTimeMs()).isEqualTo(7);
    }

    @Test
    void throttleFailureClosesTheConnection() {
        ApiRegistry registry = deferredMetadataRegistry().throttle((request, response, nanos) -> {
            throw new IllegalStateException("broken throttle");
        });
        EmbeddedChannel channel = channel(registry);
        channel.writeInbound(buf(metadataRequest(1)));
        futures.get(0).complete(metadataResponse());
        assertThat(channel.isOpen()).isFalse();
    }
}
