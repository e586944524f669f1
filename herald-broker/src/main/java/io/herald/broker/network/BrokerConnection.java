package io.herald.broker.network;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A minimal blocking Kafka client for one broker-to-broker connection (a follower to its leader, a
 * coordinator to a partition leader): one request at a time, length-prefixed
 * frames, kafka-clients' generated messages for encoding and decoding. Connects lazily; any I/O or decoding
 * failure closes the connection (the next request reconnects).
 *
 * <p>Thread-safety: used by one thread at a time (its fetcher, its sender), except {@link #close()}, which any
 * thread may call to
 * unblock it.
 */
public final class BrokerConnection implements AutoCloseable {
    private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

    private final BrokerEndpoint endpoint;
    private final String clientId;
    private final int connectTimeoutMs;
    private volatile SocketChannel channel;
    private DataInputStream in;
    private int correlationId;

    public BrokerConnection(BrokerEndpoint endpoint, String clientId, int connectTimeoutMs) {
        this.endpoint = endpoint;
        this.clientId = clientId;
        this.connectTimeoutMs = connectTimeoutMs;
    }

    public BrokerEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Sends {@code request} (encoded with its own version) and waits up to {@code timeoutMs} for the answer.
     *
     * @throws IOException connection refused or lost, timeout, or an answer that does not parse
     */
    public AbstractResponse send(AbstractRequest request, int timeoutMs) throws IOException {
        try {
            SocketChannel ch = connect();
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
            ByteBuffer payload = request.serializeWithHeader(header);
            ByteBuffer size = ByteBuffer.allocate(4).putInt(payload.remaining()).flip();
            ByteBuffer[] frame = {size, payload};
            while (size.hasRemaining() || payload.hasRemaining()) {
                ch.write(frame);
            }
            ch.socket().setSoTimeout(Math.max(1, timeoutMs));
            int length = in.readInt();
            if (length < 0 || length > MAX_RESPONSE_BYTES) {
                throw new IOException("implausible response size " + length + " from " + endpoint);
            }
            byte[] body = new byte[length];
            in.readFully(body);
            try {
                return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
            } catch (RuntimeException e) {
                throw new IOException("unparseable " + request.apiKey() + " response from " + endpoint, e);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            return ch;
        }
        ch = SocketChannel.open();
        try {
            ch.configureBlocking(true);
            ch.socket().setTcpNoDelay(true);
            ch.socket().setKeepAlive(true);
            ch.socket().connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectTimeoutMs);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
        in = new DataInputStream(new BufferedInputStream(ch.socket().getInputStream(), 64 * 1024));
        channel = ch;
        return ch;
    }

    @Override
    public void close() {
        SocketChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing: nothing more to do
            }
        }
    }
}
