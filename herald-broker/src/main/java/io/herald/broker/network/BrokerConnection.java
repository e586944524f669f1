package io.herald.broker.network;

import io.herald.protocol.security.SaslClient;
import io.herald.protocol.security.SaslMechanism.AuthenticationFailure;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;

/**
 * A minimal blocking Kafka client for one broker-to-broker connection (a follower to its leader, a
 * coordinator to a partition leader): one request at a time, length-prefixed frames, kafka-clients' generated
 * messages for encoding and decoding. Connects lazily, over TLS and with SASL authentication when
 * {@link InterBrokerSecurity} says so; any I/O, decoding or authentication failure closes the connection (the next
 * request reconnects).
 *
 * <p>Thread-safety: used by one thread at a time (its fetcher, its sender), except {@link #close()}, which any
 * thread may call to unblock it.
 */
public final class BrokerConnection implements AutoCloseable {
    private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

    private final BrokerEndpoint endpoint;
    private final String clientId;
    private final int connectTimeoutMs;
    private final InterBrokerSecurity security;
    private volatile Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private int correlationId;

    public BrokerConnection(BrokerEndpoint endpoint, String clientId, int connectTimeoutMs) {
        this(endpoint, clientId, connectTimeoutMs, InterBrokerSecurity.PLAINTEXT);
    }

    public BrokerConnection(BrokerEndpoint endpoint, String clientId, int connectTimeoutMs,
                            InterBrokerSecurity security) {
        this.endpoint = endpoint;
        this.clientId = clientId;
        this.connectTimeoutMs = connectTimeoutMs;
        this.security = security;
    }

    public BrokerEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Sends {@code request} (encoded with its own version) and waits up to {@code timeoutMs} for the answer.
     *
     * @throws IOException connection refused or lost, timeout, failed TLS handshake or authentication, or an answer
     *                     that does not parse
     */
    public AbstractResponse send(AbstractRequest request, int timeoutMs) throws IOException {
        try {
            connect();
            return exchange(request, timeoutMs);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private AbstractResponse exchange(AbstractRequest request, int timeoutMs) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, ++correlationId);
        ByteBuffer payload = request.serializeWithHeader(header);
        out.writeInt(payload.remaining());
        out.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
        out.flush();
        socket.setSoTimeout(Math.max(1, timeoutMs));
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
    }

    private void connect() throws IOException {
        Socket current = socket;
        if (current != null && !current.isClosed()) {
            return;
        }
        Socket plain = new Socket();
        Socket connected = plain;
        try {
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(true);
            plain.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectTimeoutMs);
            if (security.tls().isPresent()) {
                SSLSocket tls = (SSLSocket) security.tls().get().getSocketFactory().createSocket(plain,
                        endpoint.host(), endpoint.port(), true);
                if (security.verifyHostname()) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(parameters);
                }
                tls.setSoTimeout(connectTimeoutMs);
                tls.startHandshake();
                connected = tls;
            }
            in = new DataInputStream(new BufferedInputStream(connected.getInputStream(), 64 * 1024));
            out = new DataOutputStream(new BufferedOutputStream(connected.getOutputStream(), 64 * 1024));
            socket = connected;
            if (security.sasl().isPresent()) {
                authenticate(security.sasl().get());
            }
        } catch (IOException | RuntimeException e) {
            socket = null;
            connected.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /** SaslHandshake v1, then SaslAuthenticate until the mechanism's exchange completes. */
    private void authenticate(InterBrokerSecurity.Credentials credentials) throws IOException {
        SaslClient client = SaslClient.of(credentials.mechanism(), credentials.username(), credentials.password());
        SaslHandshakeResponse handshake = (SaslHandshakeResponse) exchange(new SaslHandshakeRequest.Builder(
                new SaslHandshakeRequestData().setMechanism(client.mechanism())).build((short) 1), connectTimeoutMs);
        if (handshake.data().errorCode() != Errors.NONE.code()) {
            throw new IOException("broker " + endpoint + " refused SASL mechanism " + client.mechanism() + ": "
                    + Errors.forCode(handshake.data().errorCode()) + " (it enables "
                    + handshake.data().mechanisms() + ")");
        }
        byte[] token = client.start();
        while (token != null) {
            SaslAuthenticateResponse answer = (SaslAuthenticateResponse) exchange(new SaslAuthenticateRequest.Builder(
                    new SaslAuthenticateRequestData().setAuthBytes(token)).build((short) 2), connectTimeoutMs);
            if (answer.data().errorCode() != Errors.NONE.code()) {
                throw new IOException("authentication with broker " + endpoint + " as " + credentials.username()
                        + " failed: " + answer.data().errorMessage());
            }
            try {
                token = client.isComplete() ? null : client.next(answer.data().authBytes());
            } catch (AuthenticationFailure e) {
                throw new IOException("authentication with broker " + endpoint + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        Socket current = socket;
        socket = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // closing: nothing more to do
            }
        }
    }
}
