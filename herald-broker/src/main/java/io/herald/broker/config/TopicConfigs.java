package io.herald.broker.config;

import io.herald.storage.log.LogConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The per-topic configs Herald honours, with Kafka's names and defaults, and the broker config that supplies
 * each one's cluster-wide default (Kafka's "synonym": {@code retention.ms} ← {@code log.retention.ms}).
 *
 * <p>Resolution order for a topic, as in Kafka: topic override, then dynamic broker default, then static
 * broker config ({@code server.properties}), then Kafka's default.
 */
public final class TopicConfigs {

    /** One topic config: its name, type, Kafka default and broker-level synonyms (most specific first). */
    public record Key(String name, Type type, String defaultValue, List<String> brokerSynonyms,
                      ConfigDef.Validator validator) {}

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        key(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, "delete", List.of("log.cleanup.policy"),
                ConfigDef.ValidList.in(false, "delete", "compact"));
        key(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, "producer", List.of("compression.type"),
                ConfigDef.ValidString.in("producer"));
        key(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, "86400000",
                List.of("log.cleaner.delete.retention.ms"), ConfigDef.Range.atLeast(0));
        key(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, "60000", List.of("log.segment.delete.delay.ms"),
                ConfigDef.Range.atLeast(0));
        key(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, String.valueOf(Long.MAX_VALUE),
                List.of("log.flush.interval.messages"), ConfigDef.Range.atLeast(1));
        key(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, String.valueOf(Long.MAX_VALUE),
                List.of("log.flush.interval.ms"), ConfigDef.Range.atLeast(0));
        key(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, "4096", List.of("log.index.interval.bytes"),
                ConfigDef.Range.atLeast(0));
        key(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, "1048588", List.of("message.max.bytes"),
                ConfigDef.Range.atLeast(0));
        key(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
                List.of("log.message.timestamp.type"), ConfigDef.ValidString.in("CreateTime", "LogAppendTime"));
        key(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, "1", List.of("min.insync.replicas"),
                ConfigDef.Range.atLeast(1));
        key(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, "-1", List.of("log.retention.bytes"), null);
        key(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, "604800000",
                List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"),
                ConfigDef.Range.atLeast(-1));
        key(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, "1073741824", List.of("log.segment.bytes"),
                ConfigDef.Range.atLeast(14));
        key(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, "10485760", List.of("log.index.size.max.bytes"),
                ConfigDef.Range.atLeast(4));
        key(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, "604800000", List.of("log.roll.ms", "log.roll.hours"),
                ConfigDef.Range.atLeast(1));
        key(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, "false",
                List.of("unclean.leader.election.enable"), null);
    }

    private TopicConfigs() {
    }

    private static void key(String name, Type type, String defaultValue, List<String> synonyms,
                            ConfigDef.Validator validator) {
        KEYS.put(name, new Key(name, type, defaultValue, synonyms, validator));
    }

    public static Map<String, Key> keys() {
        return java.util.Collections.unmodifiableMap(KEYS);
    }

    public static Optional<Key> key(String name) {
        return Optional.ofNullable(KEYS.get(name));
    }

    /**
     * Checks one topic config value: known name, parses as its type, passes its validator.
     *
     * @throws ConfigException with a message that names the config and the rule
     */
    public static void validate(String name, String value) {
        Key key = KEYS.get(name);
        if (key == null) {
            throw new ConfigException("Unknown topic config name: " + name);
        }
        Object parsed = ConfigDef.parseType(name, value, key.type());
        if (key.validator() != null) {
            key.validator().ensureValid(name, parsed);
        }
    }

    /** A topic config's effective value and where it came from. */
    public record Resolved(String value, Source source, Optional<String> synonym) {}

    /** Where an effective value came from, in DescribeConfigs terms. */
    public enum Source { TOPIC, DYNAMIC_BROKER_DEFAULT, STATIC_BROKER, DEFAULT }

    /**
     * The effective value of topic config {@code name}.
     *
     * @param overrides the topic's overrides
     * @param dynamicBroker cluster-wide dynamic broker configs (IncrementalAlterConfigs on the default broker)
     * @param staticBroker server.properties
     */
    public static Resolved resolve(String name, Map<String, String> overrides, Map<String, String> dynamicBroker,
                                   Map<String, String> staticBroker) {
        Key key = KEYS.get(name);
        if (overrides.containsKey(name)) {
            return new Resolved(overrides.get(name), Source.TOPIC, Optional.empty());
        }
        for (String synonym : key.brokerSynonyms()) {
            if (dynamicBroker.containsKey(synonym)) {
                return new Resolved(toTopicUnit(synonym, dynamicBroker.get(synonym)), Source.DYNAMIC_BROKER_DEFAULT,
                        Optional.of(synonym));
            }
        }
        for (String synonym : key.brokerSynonyms()) {
            if (staticBroker.containsKey(synonym)) {
                return new Resolved(toTopicUnit(synonym, staticBroker.get(synonym)), Source.STATIC_BROKER,
                        Optional.of(synonym));
            }
        }
        return new Resolved(key.defaultValue(), Source.DEFAULT, Optional.empty());
    }

    /** Broker synonyms in minutes or hours become the topic config's milliseconds. */
    private static String toTopicUnit(String synonym, String value) {
        if (synonym.endsWith(".minutes")) {
            return String.valueOf(Long.parseLong(value.trim()) * 60_000L);
        }
        if (synonym.endsWith(".hours")) {
            return String.valueOf(Long.parseLong(value.trim()) * 3_600_000L);
        }
        return value.trim();
    }

    /** The storage engine's view of a topic's effective configs. */
    public static LogConfig toLogConfig(Map<String, String> overrides, Map<String, String> dynamicBroker,
                                        Map<String, String> staticBroker) {
        Map<String, String> v = new LinkedHashMap<>();
        for (String name : KEYS.keySet()) {
            v.put(name, resolve(name, overrides, dynamicBroker, staticBroker).value());
        }
        List<String> policy = List.of(v.get(TopicConfig.CLEANUP_POLICY_CONFIG).replace(" ", "").split(","));
        return new LogConfig(
                Integer.parseInt(v.get(TopicConfig.SEGMENT_BYTES_CONFIG)),
                Long.parseLong(v.get(TopicConfig.SEGMENT_MS_CONFIG)),
                Long.parseLong(v.get(TopicConfig.RETENTION_MS_CONFIG)),
                Long.parseLong(v.get(TopicConfig.RETENTION_BYTES_CONFIG)),
                Integer.parseInt(v.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)),
                Integer.parseInt(v.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG)),
                Integer.parseInt(v.get(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG)),
                Long.parseLong(v.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG)),
                Long.parseLong(v.get(TopicConfig.FLUSH_MS_CONFIG)),
                policy.contains("compact"),
                policy.contains("delete"),
                Long.parseLong(v.get(TopicConfig.DELETE_RETENTION_MS_CONFIG)),
                "LogAppendTime".equals(v.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)),
                Long.parseLong(v.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG)));
    }
}
