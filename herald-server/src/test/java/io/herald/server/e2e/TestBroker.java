package io.herald.server.e2e;

import io.herald.server.node.BrokerNode;
import io.herald.server.config.HeraldConfig;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An in-process Herald broker on a loopback ephemeral port, plus the clients the end-to-end tests use.
 * {@link #restart()} closes the broker cleanly and starts a new one on the same log dirs (the port changes,
 * so clients must be rebuilt). Not thread-safe: one test drives it.
 */
final class TestBroker implements AutoCloseable {
    private final Path dir;
    private final Map<String, String> props;
    private BrokerNode broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private TestBroker(Path dir, Map<String, String> props) throws Exception {
        this.dir = dir;
        this.props = props;
        this.broker = BrokerNode.start(HeraldConfig.parse(props));
    }

    static TestBroker start(Path dir) throws Exception {
        return start(dir, Map.of());
    }

    static TestBroker start(Path dir, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dir.toString());
        props.put("num.partitions", "1");
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "1");
        props.put("herald.http.listener", "http://127.0.0.1:0");
        props.putAll(overrides);
        return new TestBroker(dir, Map.copyOf(props));
    }

    BrokerNode broker() {
        return broker;
    }

    Path dir() {
        return dir;
    }

    int port() {
        return broker.boundPort();
    }

    /** The broker's HTTP base URL ({@code http://127.0.0.1:<port>}). */
    String httpUrl() {
        return "http://127.0.0.1:" + broker.httpPort().orElseThrow(() -> new IllegalStateException("no HTTP"));
    }

    String bootstrap() {
        return "127.0.0.1:" + port();
    }

    /** Clean shutdown, then start again on the same dirs. Clients built before are closed. */
    void restart() throws Exception {
        closeClients();
        broker.close();
        broker = BrokerNode.start(HeraldConfig.parse(props));
    }

    KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        cfg.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        cfg.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        cfg.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        cfg.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        cfg.putAll(overrides);
        KafkaProducer<String, String> p = new KafkaProducer<>(cfg);
        clients.add(p);
        return p;
    }

    KafkaProducer<String, String> producer() {
        return producer(Map.of());
    }

    /** A group-less consumer (assign/seek only, no commits). */
    KafkaConsumer<String, String> consumer(Map<String, Object> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        cfg.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        cfg.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        cfg.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        cfg.putAll(overrides);
        KafkaConsumer<String, String> c = new KafkaConsumer<>(cfg);
        clients.add(c);
        return c;
    }

    KafkaConsumer<String, String> consumer() {
        return consumer(Map.of());
    }

    Admin admin() {
        Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
        clients.add(a);
        return a;
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(20, TimeUnit.SECONDS);
        }
    }

    long offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            return a.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(20, TimeUnit.SECONDS).offset();
        }
    }

    /** Reads from the beginning of each partition until {@code expected} records arrived or the deadline. */
    static List<ConsumerRecord<String, String>> readAll(KafkaConsumer<String, String> consumer,
                                                        Set<TopicPartition> tps, int expected,
                                                        Duration timeout) {
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < expected && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** Produces one record to a fresh topic and reads it back: the broker still serves normal clients. */
    void assertHealthy() throws Exception {
        String topic = "healthy-" + System.nanoTime();
        createTopic(topic, 1, Map.of());
        try (KafkaProducer<String, String> p = producer();
             KafkaConsumer<String, String> c = consumer()) {
            p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k", "v")).get(20,
                    TimeUnit.SECONDS);
            List<ConsumerRecord<String, String>> got = readAll(c, Set.of(new TopicPartition(topic, 0)), 1,
                    Duration.ofSeconds(20));
            if (got.size() != 1 || !"v".equals(got.get(0).value())) {
                throw new AssertionError("broker unhealthy: read back " + got);
            }
        }
    }

    private void closeClients() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already closed or broken: nothing to do in a test
            }
        }
        clients.clear();
    }

    @Override
    public void close() {
        closeClients();
        broker.close();
    }

    RawConnection raw() throws IOException {
        return new RawConnection(port());
    }

    /** A plain socket speaking length-prefixed Kafka frames. */
    static final class RawConnection implements AutoCloseable {
        private static final AtomicInteger CORRELATION = new AtomicInteger(1);
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        RawConnection(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void soTimeout(int ms) throws SocketException {
            socket.setSoTimeout(ms);
        }

        /** Serializes {@code request} with a header for its own version; returns header + body (no size). */
        static ByteBuffer serialize(AbstractRequest request, int correlationId) {
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "herald-e2e",
                    correlationId);
            return request.serializeWithHeader(header);
        }

        static byte[] toBytes(ByteBuffer buf) {
            ByteBuffer b = buf.duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        }

        void sendFrame(byte[] payload) throws IOException {
            byte[] frame = new byte[4 + payload.length];
            ByteBuffer.wrap(frame).putInt(payload.length).put(payload);
            out.write(frame);
            out.flush();
        }

        void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** The next response frame (without its size), or null if the broker closed the connection. */
        ByteBuffer readFrame() throws IOException {
            int size;
            try {
                size = in.readInt();
            } catch (EOFException e) {
                return null;
            }
            if (size < 0 || size > 64 * 1024 * 1024) {
                throw new IOException("implausible response size " + size);
            }
            byte[] body = new byte[size];
            in.readFully(body);
            return ByteBuffer.wrap(body);
        }

        @SuppressWarnings("unchecked")
        <R extends AbstractResponse> R roundTrip(AbstractRequest request) throws IOException {
            int corr = CORRELATION.getAndIncrement();
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "herald-e2e", corr);
            sendFrame(toBytes(request.serializeWithHeader(header)));
            ByteBuffer response = readFrame();
            if (response == null) {
                throw new EOFException("broker closed the connection instead of answering " + request.apiKey());
            }
            return (R) AbstractResponse.parseResponse(response, header);
        }

        /**
         * True if the broker closes the connection (EOF or reset) within {@code within}; responses that arrive
         * meanwhile are skipped. False if the connection is still open at the deadline.
         */
        boolean closedWithin(Duration within) throws IOException {
            long deadline = System.nanoTime() + within.toNanos();
            byte[] buf = new byte[8192];
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                try {
                    if (in.read(buf) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (SocketException e) {
                    return true; // connection reset
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
