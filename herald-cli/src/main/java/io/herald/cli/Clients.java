package io.herald.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the stock Kafka clients a command uses, all on raw bytes, from the resolved {@link ClientSettings}.
 * Configs stack, later wins: the CLI's defaults (timeouts short enough for an interactive tool), the user's
 * configs (profile, {@code --command-config}, {@code -X}), then what the command's own flags say
 * ({@code --acks}, a group id). The caller closes what it gets.
 */
public final class Clients {

    /** How long a command waits for the cluster to answer one call before it gives up. */
    public static final Duration API_TIMEOUT = Duration.ofSeconds(30);
    /** How long closing a client may wait for in-flight requests. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String CLIENT_ID = "herald-cli";

    private final ClientSettings settings;

    public Clients(ClientSettings settings) {
        this.settings = settings;
    }

    public ClientSettings settings() {
        return settings;
    }

    public Admin admin() {
        return Admin.create(config(Map.of(), Map.of()));
    }

    public KafkaProducer<byte[], byte[]> producer(Map<String, String> overrides) {
        Map<String, String> defaults = Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(API_TIMEOUT.toMillis()));
        return new KafkaProducer<>(config(defaults, overrides), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer that never commits on its own (commands commit what they printed) and never creates topics. */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, String> overrides) {
        Map<String, String> fixed = new HashMap<>(overrides);
        fixed.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        fixed.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return new KafkaConsumer<>(config(Map.of(), fixed), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A share consumer of {@code group} that acknowledges each record explicitly (KIP-932). */
    public KafkaShareConsumer<byte[], byte[]> shareConsumer(String group) {
        Map<String, String> fixed = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        return new KafkaShareConsumer<>(config(Map.of(), fixed), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private Map<String, Object> config(Map<String, String> defaults, Map<String, String> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(API_TIMEOUT.toMillis()));
        config.putAll(defaults);
        config.putAll(settings.configs());
        config.putAll(overrides);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        return config;
    }
}
