package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class KafkaServerTest {

    @Test
    void answersApiVersionsOverARealSocket() throws Exception {
        ApiRegistry registry = new ApiRegistry().register(new ServedApi(ApiKeys.METADATA, VersionRange.of(0, 13),
            request -> CompletableFuture.completedFuture(new Response.Send(new MetadataResponseData()))));
        try (KafkaServer server = new KafkaServer(new ServerConfig("127.0.0.1", 0, 1, 1 << 20, 60_000), registry)) {
            server.start();
            assertThat(server.boundPort()).isPositive();
            assertThat(registry.isFrozen()).isTrue();

            short version = registry.versions(ApiKeys.API_VERSIONS).orElseThrow().max();
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, version, "herald-test", 1);
            ApiVersionsRequest request = new ApiVersionsRequest.Builder().build(version);
            ByteBuffer payload = request.serializeWithHeader(header);

            try (Socket socket = new Socket("127.0.0.1", server.boundPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(Frames.prefixed(payload));
                out.flush();

                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] response = new byte[in.readInt()];
                in.readFully(response);
                ApiVersionsResponse parsed = (ApiVersionsResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
                assertThat(parsed.data().errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(parsed.data().apiKeys().find(ApiKeys.METADATA.id)).isNotNull();
                assertThat(parsed.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo(version);
            }
        }
    }

    @Test
    void closeWithoutStartIsHarmless() {
        KafkaServer server = new KafkaServer(ServerConfig.defaults("127.0.0.1", 0), new ApiRegistry());
        server.close();
        server.close();
    }
}
