package io.herald.http.rest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients the REST API and the console use, connected to their own broker: one Admin and one producer
 * (acks=all, idempotent) made at the first call that needs them, so a broker whose REST API is never used runs
 * none; consumers are made per read and closed by the caller.
 *
 * <p>With a SASL mechanism ({@link Security#saslMechanism()}) the clients are per caller: each HTTP user's calls run
 * {@link #as} that user, and their clients log in to a SASL listener of the broker with the user's own credentials,
 * so the broker authenticates them and its ACLs apply to them exactly as to any Kafka client. At most
 * {@link #MAX_USERS} users' clients are kept; the least recently used are closed.
 *
 * <p>Thread-safe. {@link #close} closes what was made.
 */
public final class LocalClients implements AutoCloseable {
    /** How long one REST call waits for the cluster. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    /** Users whose clients are kept open at once. */
    static final int MAX_USERS = 32;

    /** An HTTP user's name and password (HTTP Basic). */
    public record Credentials(String user, String password) {
        public Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[" + user + ", password hidden]";
        }
    }

    /**
     * How the clients reach the broker.
     *
     * @param clientConfigs  Kafka client configs for the listener ({@code security.protocol}, {@code ssl.truststore.*})
     * @param saslMechanism  the SASL mechanism callers log in with; empty: one anonymous set of clients
     */
    public record Security(Map<String, Object> clientConfigs, Optional<String> saslMechanism) {
        public static final Security PLAINTEXT = new Security(Map.of(), Optional.empty());

        public Security {
            clientConfigs = Map.copyOf(clientConfigs);
        }
    }

    private static final ThreadLocal<Credentials> CALLER = new ThreadLocal<>();

    private final String bootstrap;
    private final Security security;
    private final ClientSet anonymous;
    private final Map<Credentials, ClientSet> byUser = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    /** @param bootstrap the broker's own {@code host:port} */
    public LocalClients(String bootstrap) {
        this(bootstrap, Security.PLAINTEXT);
    }

    /** Clients of {@code bootstrap}, a listener of the broker reached as {@code security} says. */
    public LocalClients(String bootstrap, Security security) {
        this.bootstrap = bootstrap;
        this.security = Objects.requireNonNull(security, "security");
        this.anonymous = new ClientSet(Map.of());
    }

    /** Whether callers must be authenticated (the clients log in as them). */
    public boolean perUser() {
        return security.saslMechanism().isPresent();
    }

    /** Runs {@code work} on this thread as {@code caller}: the clients it asks for log in as that user. */
    public static <T> T as(Credentials caller, Callable<T> work) throws Exception {
        Credentials previous = CALLER.get();
        CALLER.set(caller);
        try {
            return work.call();
        } finally {
            if (previous == null) {
                CALLER.remove();
            } else {
                CALLER.set(previous);
            }
        }
    }

    /** Closes {@code caller}'s clients (their credentials were refused). */
    public void forget(Credentials caller) {
        ClientSet set;
        synchronized (this) {
            set = byUser.remove(caller);
        }
        if (set != null) {
            set.close();
        }
    }

    public Admin admin() {
        return current().admin();
    }

    public KafkaProducer<byte[], byte[]> producer() {
        return current().producer();
    }

    /** A group-less consumer for one read (assign and seek); the caller closes it. */
    public KafkaConsumer<byte[], byte[]> consumer() {
        return current().consumer();
    }

    /** A consumer in {@code groupId} that commits by hand and starts at the log start; the caller closes it. */
    public KafkaConsumer<byte[], byte[]> groupConsumer(String groupId) {
        return current().groupConsumer(groupId);
    }

    private ClientSet current() {
        ClientSet evicted = null;
        ClientSet set;
        synchronized (this) {
            checkOpen();
            if (!perUser()) {
                return anonymous;
            }
            Credentials caller = CALLER.get();
            if (caller == null) {
                throw new IllegalStateException("REST calls need an authenticated user (herald.http.authentication)");
            }
            set = byUser.get(caller);
            if (set == null) {
                set = new ClientSet(Map.of(SaslConfigs.SASL_MECHANISM, security.saslMechanism().get(),
                        SaslConfigs.SASL_JAAS_CONFIG, jaas(security.saslMechanism().get(), caller)));
                byUser.put(caller, set);
                if (byUser.size() > MAX_USERS) {
                    Iterator<ClientSet> eldest = byUser.values().iterator();
                    evicted = eldest.next();
                    eldest.remove();
                }
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        return set;
    }

    private static String jaas(String mechanism, Credentials caller) {
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + escape(caller.user()) + "\" password=\""
                + escape(caller.password()) + "\";";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the REST API is shut down");
        }
    }

    @Override
    public void close() {
        java.util.List<ClientSet> sets;
        synchronized (this) {
            closed = true;
            sets = new java.util.ArrayList<>(byUser.values());
            byUser.clear();
        }
        anonymous.close();
        sets.forEach(ClientSet::close);
    }

    /** One identity's clients. Thread-safe. */
    private final class ClientSet {
        private final Map<String, Object> login;
        private Admin admin;
        private KafkaProducer<byte[], byte[]> producer;

        ClientSet(Map<String, Object> login) {
            this.login = login;
        }

        private Map<String, Object> base(String clientId) {
            Map<String, Object> config = new HashMap<>(security.clientConfigs());
            config.putAll(login);
            config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
            return config;
        }

        synchronized Admin admin() {
            if (admin == null) {
                Map<String, Object> config = base("herald-rest-admin");
                config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
                config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
                admin = Admin.create(config);
            }
            return admin;
        }

        synchronized KafkaProducer<byte[], byte[]> producer() {
            if (producer == null) {
                Map<String, Object> config = base("herald-rest-producer");
                config.put(ProducerConfig.ACKS_CONFIG, "all");
                config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
                config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, CALL_TIMEOUT.toMillis());
                config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
                config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis() - 1000);
                config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
                config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
                producer = new KafkaProducer<>(config);
            }
            return producer;
        }

        KafkaConsumer<byte[], byte[]> consumer() {
            Map<String, Object> config = readerConfig("herald-rest-reader-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
            return new KafkaConsumer<>(config);
        }

        KafkaConsumer<byte[], byte[]> groupConsumer(String groupId) {
            Map<String, Object> config = readerConfig("herald-rest-" + groupId);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            return new KafkaConsumer<>(config);
        }

        private Map<String, Object> readerConfig(String clientId) {
            Map<String, Object> config = base(clientId);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            return config;
        }

        synchronized void close() {
            if (producer != null) {
                producer.close(Duration.ofSeconds(2));
                producer = null;
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
                admin = null;
            }
        }
    }
}
