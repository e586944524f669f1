package io.herald.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP listener under bad input: garbage, oversized bodies, clients that stall and many idle connections get
 * an answer or a closed connection, and the listener keeps serving everyone else.
 */
class HttpServerAbuseTest {
    private HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        Router router = new Router()
                .get("/ping", call -> HttpReply.text(200, "pong"))
                .post("/echo", call -> HttpReply.text(200, "got " + call.body().length))
                .get("/boom", call -> {
                    throw new IllegalStateException("endpoint bug");
                });
        server = new HttpServer("127.0.0.1", 0, router);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void garbageGetsABadRequestOrAClosedConnectionAndTheServerGoesOn() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[200 + random.nextInt(2000)];
            random.nextBytes(junk);
            junk[junk.length - 1] = '\n';
            String answer = exchange(junk);
            assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 400")).as(answer).isTrue();
        }
        assertThat(ping()).isEqualTo("pong");
    }

    @Test
    void aBodyOverTheLimitIs413AndOneUnderItIsServed() throws Exception {
        String big = exchange(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (HttpServer.MAX_BODY_BYTES + 1)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(big).startsWith("HTTP/1.1 413");
        HttpResponse<String> fits = http.send(HttpRequest.newBuilder(url("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024 * 1024])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fits.body()).isEqualTo("got 1048576");
    }

    @Test
    void stalledAndIdleClientsDoNotHoldOthersUp() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.boundPort()), 2_000);
                if (i % 2 == 0) { // half of them send half a request and stop
                    s.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
                sockets.add(s);
            }
            assertThat(ping()).isEqualTo("pong");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void anEndpointThatThrowsAnswers500AndUnknownPaths404() throws Exception {
        HttpResponse<String> boom = http.send(HttpRequest.newBuilder(url("/boom")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).contains("endpoint bug");
        assertThat(http.send(HttpRequest.newBuilder(url("/nope")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(404);
        assertThat(ping()).isEqualTo("pong");
    }

    private String ping() throws Exception {
        return http.send(HttpRequest.newBuilder(url("/ping")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.boundPort() + path);
    }

    /** Sends raw bytes and reads what comes back until the server closes or 3 s pass. */
    private String exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.boundPort()), 2_000);
            socket.setSoTimeout(3_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException closedEarly) {
                // the server may close while we still write: an answer may have come first
            }
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = in.read(buffer)) > 0 && answer.length() < 64 * 1024) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    if (answer.indexOf("\r\n\r\n") >= 0 && answer.indexOf("Content-Length: ") >= 0) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // no (more) answer
            }
            return answer.toString();
        }
    }
}
