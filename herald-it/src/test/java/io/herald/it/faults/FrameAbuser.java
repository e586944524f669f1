package io.herald.it.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Sends a broker what no client should: random bytes, a frame whose size prefix is 2 GiB, a request cut off
 * half-way, a frame of the right size whose header is garbage. Kafka's rule (and DESIGN.md's "errors are
 * answers"): an unparseable frame closes that connection, the broker keeps serving everyone else. Each abuse
 * uses its own short-lived connection with a read timeout, so none can block the test. Seeded: a failure
 * replays. Not thread-safe.
 */
final class FrameAbuser {

    /** What a connection did after its abuse. */
    enum Outcome {
        /** The broker closed (or reset) the connection. */
        CLOSED,
        /** The broker still held it open when we gave up waiting (e.g. waiting for the rest of a frame). */
        OPEN,
        /** We could not connect at all: the broker stopped accepting. */
        REFUSED
    }

    /** One abuse and how the broker took it. */
    record Abuse(String kind, Outcome outcome) {
    }

    private static final int READ_TIMEOUT_MS = 3_000;

    private final Random random;

    FrameAbuser(long seed) {
        this.random = new Random(seed);
    }

    /** One round of every kind of abuse against {@code host:port}. */
    List<Abuse> round(String host, int port) {
        byte[] noise = new byte[1 + random.nextInt(4096)];
        random.nextBytes(noise);
        byte[] huge = ByteBuffer.allocate(4 + 64).putInt(Integer.MAX_VALUE).array();
        byte[] metadata = metadataFrame();
        byte[] truncated = java.util.Arrays.copyOf(metadata, metadata.length / 2);
        byte[] garbageBody = new byte[4 + 40];
        random.nextBytes(garbageBody);
        ByteBuffer.wrap(garbageBody).putInt(40).putShort((short) 0x7abc); // an api key no broker knows
        return List.of(
                new Abuse("random bytes", send(host, port, noise, false)),
                new Abuse("2 GiB size prefix", send(host, port, huge, true)),
                new Abuse("truncated request", send(host, port, truncated, false)),
                new Abuse("garbage header", send(host, port, garbageBody, true)));
    }

    /** A well-formed Metadata v12 request with its size prefix. */
    private static byte[] metadataFrame() {
        short version = 12;
        ByteBuffer body = new MetadataRequest.Builder(List.of(), false).build(version)
                .serializeWithHeader(new RequestHeader(ApiKeys.METADATA, version, "herald-frame-abuser", 7));
        ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body);
        return frame.array();
    }

    /**
     * Writes {@code bytes} and, when {@code awaitClose}, waits (bounded) for the broker to close; otherwise
     * closes from our side right away (a client that died mid-request).
     */
    private static Outcome send(String host, int port, byte[] bytes, boolean awaitClose) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                return Outcome.CLOSED; // reset while we wrote: the broker already gave up on us
            }
            if (!awaitClose) {
                return Outcome.OPEN;
            }
            InputStream in = socket.getInputStream();
            try {
                byte[] sink = new byte[1024];
                long deadline = System.nanoTime() + READ_TIMEOUT_MS * 1_000_000L;
                while (System.nanoTime() < deadline) {
                    if (in.read(sink) < 0) {
                        return Outcome.CLOSED;
                    }
                }
                return Outcome.OPEN;
            } catch (SocketTimeoutException e) {
                return Outcome.OPEN;
            } catch (IOException e) {
                return Outcome.CLOSED;
            }
        } catch (IOException e) {
            return Outcome.REFUSED;
        }
    }
}
