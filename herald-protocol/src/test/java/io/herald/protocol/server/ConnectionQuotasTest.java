package io.herald.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.ApiRegistry;
import io.herald.protocol.ConnectionLimits;
import io.herald.protocol.Frames;
import io.herald.protocol.KafkaServer;
import io.herald.protocol.ListenerConfig;
import io.herald.protocol.ServerConfig;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/**
 * max.connections, max.connections.per.ip and the connection creation rates (broker and ip quota) as a client sees
 * them, over real sockets.
 */
class ConnectionQuotasTest {

    private static KafkaServer server(ConnectionLimits limits, ListenerConfig... listeners)
            throws InterruptedException {
        KafkaServer server = new KafkaServer(new ServerConfig(List.of(listeners), 1, 1 << 20, 60_000, limits),
                new ApiRegistry());
        server.start();
        return server;
    }

    /** Sends ApiVersions and reads the answer, returning its size, or -1 if the connection was closed instead. */
    private static int apiVersions(Socket socket) throws IOException {
        RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "quota-test", 1);
        ByteBuffer payload = new ApiVersionsRequest.Builder().build((short) 3).serializeWithHeader(header);
        socket.setSoTimeout(20_000);
        try {
            socket.getOutputStream().write(Frames.prefixed(payload));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            in.readFully(new byte[size]); // the whole answer, so that a later call reads only its own
            return size;
        } catch (EOFException | SocketException closed) {
            return -1;
        }
    }

    /** Waits (bounded) until the server has seen closed connections go: closing is asynchronous. */
    private static void awaitConnections(KafkaServer server, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.connections() > expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.connections()).isEqualTo(expected);
    }

    /**
     * A new client of {@code listener} waits in the backlog; once {@code toClose} closes it is accepted and served,
     * and the server never held more than {@code limit} connections meanwhile.
     */
    private static void assertServedOnlyOnceOneCloses(KafkaServer server, String listener, Socket toClose, int limit)
            throws IOException {
        try (Socket waiting = new Socket("127.0.0.1", server.boundPort(listener))) {
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "quota-test", 7);
            waiting.getOutputStream().write(Frames.prefixed(
                    new ApiVersionsRequest.Builder().build((short) 3).serializeWithHeader(header)));
            assertThat(server.connections()).isLessThanOrEqualTo(limit);
            toClose.close();
            waiting.setSoTimeout(20_000);
            assertThat(new DataInputStream(waiting.getInputStream()).readInt()).isPositive();
        }
    }

    @Test
    void connectionsOverTheAddressLimitAreClosedAndAnOverrideRaisesIt() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(Integer.MAX_VALUE, 2, Map.of(), Set.of());
        try (KafkaServer server = server(limits, ListenerConfig.plaintext("127.0.0.1", 0));
             Socket first = new Socket("127.0.0.1", server.boundPort());
             Socket second = new Socket("127.0.0.1", server.boundPort());
             Socket third = new Socket("127.0.0.1", server.boundPort())) {
            assertThat(apiVersions(first)).isPositive();
            assertThat(apiVersions(second)).isPositive();
            assertThat(apiVersions(third)).isEqualTo(-1);

            // A closed connection frees its slot.
            first.close();
            awaitConnections(server, 1);
            try (Socket again = new Socket("127.0.0.1", server.boundPort())) {
                assertThat(apiVersions(again)).isPositive();
            }
        }

        ConnectionLimits overridden = new ConnectionLimits(Integer.MAX_VALUE, 1,
                Map.of(InetAddress.getByName("127.0.0.1"), 3), Set.of());
        try (KafkaServer server = server(overridden, ListenerConfig.plaintext("127.0.0.1", 0));
             Socket a = new Socket("127.0.0.1", server.boundPort());
             Socket b = new Socket("127.0.0.1", server.boundPort());
             Socket c = new Socket("127.0.0.1", server.boundPort())) {
            assertThat(apiVersions(a)).isPositive();
            assertThat(apiVersions(b)).isPositive();
            assertThat(apiVersions(c)).isPositive();
        }
    }

    @Test
    void atTheBrokerLimitNewClientsWaitUntilOneCloses() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(2, Integer.MAX_VALUE, Map.of(), Set.of("INTERNAL"));
        ListenerConfig external = new ListenerConfig("EXTERNAL", "127.0.0.1", 0,
                io.herald.protocol.security.ListenerSecurity.PLAINTEXT);
        ListenerConfig internal = new ListenerConfig("INTERNAL", "127.0.0.1", 0,
                io.herald.protocol.security.ListenerSecurity.PLAINTEXT);
        try (KafkaServer server = server(limits, external, internal);
             Socket first = new Socket("127.0.0.1", server.boundPort("EXTERNAL"));
             Socket second = new Socket("127.0.0.1", server.boundPort("EXTERNAL"))) {
            assertThat(apiVersions(first)).isPositive();
            assertThat(apiVersions(second)).isPositive();

            assertServedOnlyOnceOneCloses(server, "EXTERNAL", first, 2);
        }
    }

    @Test
    void aListenerAtItsOwnLimitStopsAcceptingWhileOtherListenersServe() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of(), Set.of(),
                Map.of("EXTERNAL", 1));
        ListenerConfig external = new ListenerConfig("EXTERNAL", "127.0.0.1", 0,
                io.herald.protocol.security.ListenerSecurity.PLAINTEXT);
        ListenerConfig other = new ListenerConfig("OTHER", "127.0.0.1", 0,
                io.herald.protocol.security.ListenerSecurity.PLAINTEXT);
        try (KafkaServer server = server(limits, external, other);
             Socket first = new Socket("127.0.0.1", server.boundPort("EXTERNAL"));
             Socket elsewhere = new Socket("127.0.0.1", server.boundPort("OTHER"))) {
            assertThat(apiVersions(first)).isPositive();
            assertThat(apiVersions(elsewhere)).isPositive();

            assertServedOnlyOnceOneCloses(server, "EXTERNAL", first, 2);
        }
    }

    @Test
    void theExemptListenerServesAtTheBrokerLimitByClosingTheLeastRecentlyActiveConnection() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(2, Integer.MAX_VALUE, Map.of(), Set.of("INTERNAL"));
        ListenerConfig external = new ListenerConfig("EXTERNAL", "127.0.0.1", 0,
                io.herald.protocol.security.ListenerSecurity.PLAINTEXT);
        ListenerConfig internal = new ListenerConfig("INTERNAL", "127.0.0.1", 0,
                io.herald.protocol.security.ListenerSecurity.PLAINTEXT);
        try (KafkaServer server = server(limits, external, internal);
             Socket older = new Socket("127.0.0.1", server.boundPort("EXTERNAL"));
             Socket recent = new Socket("127.0.0.1", server.boundPort("EXTERNAL"))) {
            assertThat(apiVersions(older)).isPositive();
            assertThat(apiVersions(recent)).isPositive(); // its last read is after older's

            try (Socket broker = new Socket("127.0.0.1", server.boundPort("INTERNAL"))) {
                assertThat(apiVersions(broker)).isPositive();
                awaitConnections(server, 2);

                assertThat(apiVersions(older)).isEqualTo(-1);
                assertThat(apiVersions(recent)).isPositive();
            }
        }
    }

    /**
     * An address over its connection_creation_rate quota of 1/s (measured, as Kafka does, over at least 10 of the
     * 11 one-second windows): ten connections in a burst are served, the eleventh is closed unanswered after the
     * throttle time.
     */
    @Test
    void anAddressOverItsConnectionCreationRateHasTheNewConnectionClosedUnserved() throws Exception {
        ApiRegistry registry = new ApiRegistry().ipConnectionQuota(address -> address.isLoopbackAddress()
                ? OptionalDouble.of(1.0) : OptionalDouble.empty());
        try (KafkaServer server = new KafkaServer(new ServerConfig(List.of(ListenerConfig.plaintext("127.0.0.1", 0)),
                1, 1 << 20, 60_000, ConnectionLimits.NONE), registry)) {
            server.start();
            List<Socket> served = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket socket = new Socket("127.0.0.1", server.boundPort());
                    served.add(socket);
                    assertThat(apiVersions(socket)).as("connection %d", i + 1).isPositive();
                }
                try (Socket over = new Socket("127.0.0.1", server.boundPort())) {
                    assertThat(apiVersions(over)).as("the 11th within the window").isEqualTo(-1);
                }
                assertThat(server.connectionQuotas().ipThrottled()).isEqualTo(1);
                assertThat(server.connections()).isEqualTo(10);
            } finally {
                for (Socket socket : served) {
                    socket.close();
                }
            }
        }
    }

    /**
     * max.connection.creation.rate=1: past ten connections in a burst the listener pauses accepting for the throttle
     * time; the clients that arrive meanwhile wait in the backlog and are then served, none refused.
     */
    @Test
    void overTheBrokerCreationRateTheListenerPausesAndLaterClientsAreServedAfterIt() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of(), Set.of(),
                Map.of(), new ConnectionLimits.CreationRates(1, Map.of(), 11, 1000));
        try (KafkaServer server = server(limits, ListenerConfig.plaintext("127.0.0.1", 0))) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    Socket socket = new Socket("127.0.0.1", server.boundPort());
                    sockets.add(socket);
                    assertThat(apiVersions(socket)).as("connection %d", i + 1).isPositive();
                }
                assertThat(server.connectionQuotas().acceptPauses()).isPositive();
                assertThat(server.connections()).isEqualTo(12);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }
}

