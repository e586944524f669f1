package io.herald.group.config;

import io.herald.group.GroupConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/**
 * The dynamic group configs: Kafka's GROUP config resource (KIP-848, KIP-932), set with IncrementalAlterConfigs or
 * {@code kafka-configs.sh --entity-type groups}, stored in the metadata log and applied without a restart. Every
 * config of Kafka 4.3.1's {@code GroupConfig} with its name, type, default, validator and broker synonym, plus
 * Herald's additions: the dead-letter topic (KIP-1191's names) and the retry backoff of released records.
 *
 * <p>A group's value must lie within the broker's bounds of it ({@code share.record.lock.duration.ms} within
 * {@code [group.share.min.record.lock.duration.ms, group.share.max.record.lock.duration.ms]}, ...), checked as
 * Kafka's controller does, with its messages: on the group's whole config after the change, over the broker
 * defaults ({@link #validate}). Bounds that Herald has no broker config for (streams groups, the assignment
 * intervals of assignor offloading, which Herald does not have) are Kafka's defaults.
 *
 * <p>Kafka 4.3.1 names {@code consumer/share/streams.assignor.offload.enable} as constants but does not define them:
 * its broker refuses them as unknown group configs, and so does Herald.
 *
 * <p>Stateless and thread-safe.
 */
public final class DynamicGroupConfigs {
    public static final String CONSUMER_SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    public static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";
    public static final String CONSUMER_ASSIGNMENT_INTERVAL_MS = "consumer.assignment.interval.ms";
    public static final String SHARE_SESSION_TIMEOUT_MS = "share.session.timeout.ms";
    public static final String SHARE_HEARTBEAT_INTERVAL_MS = "share.heartbeat.interval.ms";
    public static final String SHARE_RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";
    public static final String SHARE_DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
    public static final String SHARE_PARTITION_MAX_RECORD_LOCKS = "share.partition.max.record.locks";
    public static final String SHARE_AUTO_OFFSET_RESET = "share.auto.offset.reset";
    public static final String SHARE_ISOLATION_LEVEL = "share.isolation.level";
    public static final String SHARE_RENEW_ACKNOWLEDGE_ENABLE = "share.renew.acknowledge.enable";
    public static final String SHARE_ASSIGNMENT_INTERVAL_MS = "share.assignment.interval.ms";
    public static final String STREAMS_SESSION_TIMEOUT_MS = "streams.session.timeout.ms";
    public static final String STREAMS_HEARTBEAT_INTERVAL_MS = "streams.heartbeat.interval.ms";
    public static final String STREAMS_NUM_STANDBY_REPLICAS = "streams.num.standby.replicas";
    public static final String STREAMS_INITIAL_REBALANCE_DELAY_MS = "streams.initial.rebalance.delay.ms";
    public static final String STREAMS_ASSIGNMENT_INTERVAL_MS = "streams.assignment.interval.ms";
    /** KIP-1191: where rejected records and records over the delivery limit are copied (none by default). */
    public static final String ERRORS_DEADLETTERQUEUE_TOPIC_NAME = "errors.deadletterqueue.topic.name";
    /** KIP-1191: copy key, value and headers into the dead-letter record, not only the error headers. */
    public static final String ERRORS_DEADLETTERQUEUE_COPY_RECORD_ENABLE = "errors.deadletterqueue.copy.record.enable";
    public static final String HERALD_SHARE_RETRY_BACKOFF_MS = "herald.share.retry.backoff.ms";
    public static final String HERALD_SHARE_RETRY_BACKOFF_MAX_MS = "herald.share.retry.backoff.max.ms";
    public static final String HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER = "herald.share.retry.backoff.multiplier";

    /**
     * One group config.
     *
     * @param defaultValue  the group default as DescribeConfigs shows it; null for none
     * @param brokerSynonym the broker config DescribeConfigs lists as its synonym (Kafka's {@code group.} prefixed
     *                      name, or for Herald's retry backoff the broker config of the same name)
     */
    public record Key(String name, Type type, String defaultValue, Optional<String> brokerSynonym) {}

    /**
     * A broker's bound of a group config. {@code min} is empty where Kafka has only a maximum
     * ({@code group.streams.max.standby.replicas}).
     */
    private record Bound(Optional<String> minName, String maxName, Function<GroupConfig, IntRange> range) {
        static Bound of(String minName, String maxName, Function<GroupConfig, IntRange> range) {
            return new Bound(Optional.of(minName), maxName, range);
        }

        static Bound fixed(String minName, String maxName, int min, int max) {
            IntRange range = new IntRange(min, max);
            return of(minName, maxName, g -> range);
        }
    }

    /**
     * @param brokerDefault the broker value a group without its own falls back to; null where the group default
     *                      applies (Kafka's {@code extractGroupConfigMap} decides which configs have one)
     */
    private record Definition(Key key, ConfigDef.Validator validator, String doc,
                              Function<GroupConfig, Object> brokerDefault, Bound bound) {}

    /** How a group config's broker synonym is named. */
    private enum Synonym {
        /** Kafka's rule: the broker config is the group config's name under {@code group.}. */
        GROUP_PREFIXED,
        /** Herald's retry backoff: the broker default has the group config's own name. */
        SAME_NAME,
        NONE
    }

    private static final Synonym GROUP_PREFIXED = Synonym.GROUP_PREFIXED;
    private static final Synonym SAME_NAME = Synonym.SAME_NAME;
    private static final Synonym NONE = Synonym.NONE;

    /** Kafka's defaults of the streams bounds, which are not Herald broker configs (Herald has no streams groups). */
    private static final Bound STREAMS_SESSION = Bound.fixed("group.streams.min.session.timeout.ms",
            "group.streams.max.session.timeout.ms", 45_000, 60_000);
    private static final Bound STREAMS_HEARTBEAT = Bound.fixed("group.streams.min.heartbeat.interval.ms",
            "group.streams.max.heartbeat.interval.ms", 5_000, 15_000);
    private static final Bound STREAMS_STANDBY = new Bound(Optional.empty(), "group.streams.max.standby.replicas",
            g -> new IntRange(0, 2));

    private static final List<Definition> DEFINITIONS = List.of(
            define(CONSUMER_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1), GROUP_PREFIXED,
                    "The timeout to detect failed members of the consumer group.",
                    g -> g.consumer().sessionTimeoutMs(), Bound.of("group.consumer.min.session.timeout.ms",
                            "group.consumer.max.session.timeout.ms", g -> g.consumerBounds().sessionTimeoutMs())),
            define(CONSUMER_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1), GROUP_PREFIXED,
                    "The heartbeat interval given to the members of the consumer group.",
                    g -> g.consumer().heartbeatIntervalMs(), Bound.of("group.consumer.min.heartbeat.interval.ms",
                            "group.consumer.max.heartbeat.interval.ms",
                            g -> g.consumerBounds().heartbeatIntervalMs())),
            define(CONSUMER_ASSIGNMENT_INTERVAL_MS, Type.INT, 1000, ConfigDef.Range.atLeast(0), GROUP_PREFIXED,
                    "The interval between assignment updates of the consumer group (assignor offloading, which "
                            + "Herald does not do).", null,
                    Bound.fixed("group.consumer.min.assignment.interval.ms", "group.consumer.max.assignment.interval.ms",
                            0, 15_000)),
            define(SHARE_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1), GROUP_PREFIXED,
                    "The timeout to detect failed members of the share group.",
                    g -> g.share().sessionTimeoutMs().value(), Bound.of("group.share.min.session.timeout.ms",
                            "group.share.max.session.timeout.ms", g -> g.share().sessionTimeoutMs().range())),
            define(SHARE_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1), GROUP_PREFIXED,
                    "The heartbeat interval given to the members of the share group.",
                    g -> g.share().heartbeatIntervalMs().value(), Bound.of("group.share.min.heartbeat.interval.ms",
                            "group.share.max.heartbeat.interval.ms", g -> g.share().heartbeatIntervalMs().range())),
            define(SHARE_RECORD_LOCK_DURATION_MS, Type.INT, 30000, ConfigDef.Range.atLeast(1000), GROUP_PREFIXED,
                    "How long an acquired record stays acquired before it is available again.",
                    g -> g.share().recordLockDurationMs().value(), Bound.of("group.share.min.record.lock.duration.ms",
                            "group.share.max.record.lock.duration.ms", g -> g.share().recordLockDurationMs().range())),
            define(SHARE_DELIVERY_COUNT_LIMIT, Type.INT, 5, ConfigDef.Range.atLeast(2), GROUP_PREFIXED,
                    "How often a record is delivered before it is archived (and dead-lettered).",
                    g -> g.share().deliveryCountLimit().value(), Bound.of("group.share.min.delivery.count.limit",
                            "group.share.max.delivery.count.limit", g -> g.share().deliveryCountLimit().range())),
            define(SHARE_PARTITION_MAX_RECORD_LOCKS, Type.INT, 2000, ConfigDef.Range.atLeast(100), GROUP_PREFIXED,
                    "At most this many records in a share-partition's in-flight window.",
                    g -> g.share().partitionMaxRecordLocks().value(),
                    Bound.of("group.share.min.partition.max.record.locks", "group.share.max.partition.max.record.locks",
                            g -> g.share().partitionMaxRecordLocks().range())),
            define(SHARE_AUTO_OFFSET_RESET, Type.STRING, "latest", new AutoOffsetResetValidator(), NONE,
                    "Where a share-partition without state starts: earliest, latest or by_duration:<ISO-8601 "
                            + "duration>.", null, null),
            define(SHARE_ISOLATION_LEVEL, Type.STRING, "read_uncommitted",
                    ConfigDef.ValidString.in("read_committed", "read_uncommitted"), NONE,
                    "Whether the share group is delivered aborted transactional records (read_uncommitted) or not.",
                    null, null),
            define(SHARE_RENEW_ACKNOWLEDGE_ENABLE, Type.BOOLEAN, true, null, NONE,
                    "Whether members of the share group may renew acquisition locks (RENEW).", null, null),
            define(SHARE_ASSIGNMENT_INTERVAL_MS, Type.INT, 1000, ConfigDef.Range.atLeast(0), GROUP_PREFIXED,
                    "The interval between assignment updates of the share group (assignor offloading, which Herald "
                            + "does not do).", null,
                    Bound.fixed("group.share.min.assignment.interval.ms", "group.share.max.assignment.interval.ms", 0,
                            15_000)),
            define(STREAMS_SESSION_TIMEOUT_MS, Type.INT, 45000, ConfigDef.Range.atLeast(1), GROUP_PREFIXED,
                    "The timeout to detect failed members of the streams group.", g -> 45_000, STREAMS_SESSION),
            define(STREAMS_HEARTBEAT_INTERVAL_MS, Type.INT, 5000, ConfigDef.Range.atLeast(1), GROUP_PREFIXED,
                    "The heartbeat interval given to the members of the streams group.", g -> 5_000,
                    STREAMS_HEARTBEAT),
            define(STREAMS_NUM_STANDBY_REPLICAS, Type.INT, 0, ConfigDef.Range.atLeast(0), GROUP_PREFIXED,
                    "Standby replicas of each task of the streams group.", g -> 0, STREAMS_STANDBY),
            define(STREAMS_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, ConfigDef.Range.atLeast(0), GROUP_PREFIXED,
                    "How long the first rebalance of a new streams group waits for more members.", g -> 3_000, null),
            define(STREAMS_ASSIGNMENT_INTERVAL_MS, Type.INT, 1000, ConfigDef.Range.atLeast(0), GROUP_PREFIXED,
                    "The interval between assignment updates of the streams group.", null,
                    Bound.fixed("group.streams.min.assignment.interval.ms", "group.streams.max.assignment.interval.ms",
                            0, 15_000)),
            define(ERRORS_DEADLETTERQUEUE_TOPIC_NAME, Type.STRING, null, null, NONE,
                    "The share group's dead-letter topic (KIP-1191): rejected records and records over the delivery "
                            + "limit are copied there. It must start with errors.deadletterqueue.topic.name.prefix.",
                    null, null),
            define(ERRORS_DEADLETTERQUEUE_COPY_RECORD_ENABLE, Type.BOOLEAN, false, null, NONE,
                    "Whether a dead-letter record copies key, value and headers (KIP-1191).", null, null),
            define(HERALD_SHARE_RETRY_BACKOFF_MS, Type.LONG, 0L, ConfigDef.Range.atLeast(0), SAME_NAME,
                    "A released or lock-expired record is available again only after this backoff, multiplied per "
                            + "delivery (0: at once).", g -> g.share().retryBackoffMs(), null),
            define(HERALD_SHARE_RETRY_BACKOFF_MAX_MS, Type.LONG, 60000L, ConfigDef.Range.atLeast(0), SAME_NAME,
                    "The longest retry backoff.", g -> g.share().retryBackoffMaxMs(), null),
            define(HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER, Type.DOUBLE, 2.0, ConfigDef.Range.atLeast(1.0), SAME_NAME,
                    "The factor the retry backoff grows by with each delivery.",
                    g -> g.share().retryBackoffMultiplier(), null));

    /**
     * The order Kafka's controller checks the bounds in, then the session timeout against the heartbeat interval,
     * so that a change breaking several rules is refused with the message Kafka gives.
     */
    private static final List<String> BOUND_CHECK_ORDER = List.of(CONSUMER_HEARTBEAT_INTERVAL_MS,
            CONSUMER_SESSION_TIMEOUT_MS, CONSUMER_ASSIGNMENT_INTERVAL_MS, SHARE_HEARTBEAT_INTERVAL_MS,
            SHARE_SESSION_TIMEOUT_MS, SHARE_RECORD_LOCK_DURATION_MS, SHARE_DELIVERY_COUNT_LIMIT,
            SHARE_PARTITION_MAX_RECORD_LOCKS, SHARE_ASSIGNMENT_INTERVAL_MS, STREAMS_HEARTBEAT_INTERVAL_MS,
            STREAMS_SESSION_TIMEOUT_MS, STREAMS_NUM_STANDBY_REPLICAS, STREAMS_ASSIGNMENT_INTERVAL_MS);
    private static final List<Map.Entry<String, String>> SESSION_OVER_HEARTBEAT = List.of(
            Map.entry(CONSUMER_SESSION_TIMEOUT_MS, CONSUMER_HEARTBEAT_INTERVAL_MS),
            Map.entry(SHARE_SESSION_TIMEOUT_MS, SHARE_HEARTBEAT_INTERVAL_MS),
            Map.entry(STREAMS_SESSION_TIMEOUT_MS, STREAMS_HEARTBEAT_INTERVAL_MS));

    private static final Map<String, Definition> BY_NAME;
    private static final List<Key> KEYS;
    private static final ConfigDef DEF = new ConfigDef();
    private static final Map<String, Object> DEFAULTS;

    static {
        Map<String, Definition> byName = new LinkedHashMap<>();
        List<Key> keys = new ArrayList<>();
        for (Definition d : DEFINITIONS) {
            byName.put(d.key().name(), d);
            keys.add(d.key());
            Object defaultValue = d.key().defaultValue() == null ? null
                    : ConfigDef.parseType(d.key().name(), d.key().defaultValue(), d.key().type());
            DEF.define(d.key().name(), d.key().type(), defaultValue, d.validator(), Importance.MEDIUM, d.doc());
        }
        BY_NAME = Collections.unmodifiableMap(byName);
        KEYS = List.copyOf(keys);
        DEFAULTS = Collections.unmodifiableMap(DEF.defaultValues());
    }

    private DynamicGroupConfigs() {
    }

    private static Definition define(String name, Type type, Object defaultValue, ConfigDef.Validator validator,
                                     Synonym synonym, String doc, Function<GroupConfig, Object> brokerDefault,
                                     Bound bound) {
        String defaultString = defaultValue == null ? null : ConfigDef.convertToString(defaultValue, type);
        Optional<String> brokerSynonym = switch (synonym) {
            case GROUP_PREFIXED -> Optional.of("group." + name);
            case SAME_NAME -> Optional.of(name);
            case NONE -> Optional.empty();
        };
        return new Definition(new Key(name, type, defaultString, brokerSynonym), validator, doc, brokerDefault, bound);
    }

    /** Every group config, in the order DescribeConfigs lists them. */
    public static List<Key> keys() {
        return KEYS;
    }

    public static Optional<Key> key(String name) {
        return Optional.ofNullable(BY_NAME.get(name)).map(Definition::key);
    }

    /** The group configs as a Kafka {@link ConfigDef}; a copy, so callers may add to it. */
    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }

    /**
     * The value a group without its own falls back to: the broker's value for the configs that have a broker
     * default, else the group default. Typed as the config is (Integer, Long, Double, Boolean, String), null for
     * none.
     */
    public static Object fallback(String name, GroupConfig broker) {
        Definition d = definition(name);
        return d.brokerDefault() != null ? d.brokerDefault().apply(broker) : DEFAULTS.get(name);
    }

    /** Whether {@link #fallback} is the broker's value of {@link Key#brokerSynonym} (rather than the group default). */
    public static boolean fallsBackToBroker(String name) {
        return definition(name).brokerDefault() != null;
    }

    /**
     * One value parsed and checked on its own, as the type and validator of its config say.
     *
     * @throws ConfigException naming the config and the rule; InvalidConfigurationException for an unknown name
     */
    public static Object parse(String name, String value) {
        Definition d = BY_NAME.get(name);
        if (d == null) {
            throw unknown(name);
        }
        Object parsed = ConfigDef.parseType(name, value, d.key().type());
        if (d.validator() != null) {
            d.validator().ensureValid(name, parsed);
        }
        return parsed;
    }

    /**
     * Checks a group's configs as they will be after a change (all of them, not only the changed ones), as Kafka's
     * controller does: every name known, every value of its type and within its validator, the bounded ones within
     * the broker's bounds, each session timeout above its heartbeat interval, where unset ones count with their
     * broker defaults; then Herald's rules for its additions.
     *
     * @throws InvalidConfigurationException or ConfigException (both INVALID_CONFIG) with Kafka's message
     */
    public static void validate(Map<String, String> configs, GroupConfig broker) {
        for (String name : configs.keySet()) {
            if (!BY_NAME.containsKey(name)) {
                throw unknown(name);
            }
        }
        Map<String, Object> merged = new HashMap<>();
        for (Definition d : DEFINITIONS) {
            if (d.brokerDefault() != null) {
                merged.put(d.key().name(), d.brokerDefault().apply(broker));
            }
        }
        merged.putAll(configs);
        Map<String, Object> parsed = DEF.parse(merged);
        for (String name : BOUND_CHECK_ORDER) {
            if (merged.containsKey(name)) {
                checkBound(BY_NAME.get(name).bound(), name, (Integer) parsed.get(name), broker);
            }
        }
        for (Map.Entry<String, String> pair : SESSION_OVER_HEARTBEAT) {
            if ((Integer) parsed.get(pair.getKey()) <= (Integer) parsed.get(pair.getValue())) {
                throw new InvalidConfigurationException(pair.getKey() + " must be greater than " + pair.getValue());
            }
        }
        String deadLetterTopic = (String) parsed.get(ERRORS_DEADLETTERQUEUE_TOPIC_NAME);
        if (deadLetterTopic != null && !deadLetterTopic.isEmpty()) {
            checkDeadLetterTopic(deadLetterTopic, broker.share().deadLetterTopicNamePrefix());
        }
    }

    private static void checkBound(Bound bound, String name, int value, GroupConfig broker) {
        IntRange range = bound.range().apply(broker);
        if (bound.minName().isPresent() && value < range.min()) {
            throw new InvalidConfigurationException(name + " must be greater than or equal to "
                    + bound.minName().get());
        }
        if (value > range.max()) {
            throw new InvalidConfigurationException(name + " must be less than or equal to " + bound.maxName());
        }
    }

    /**
     * KIP-1191: the broker writes dead-letter records with its own rights, so a group may only name a topic under
     * the broker's prefix ("dlq." by default), and never an internal topic.
     */
    private static void checkDeadLetterTopic(String topic, String prefix) {
        try {
            Topic.validate(topic);
        } catch (InvalidTopicException e) {
            throw new ConfigException(ERRORS_DEADLETTERQUEUE_TOPIC_NAME, topic, e.getMessage());
        }
        if (Topic.isInternal(topic)) {
            throw new ConfigException(ERRORS_DEADLETTERQUEUE_TOPIC_NAME, topic, "an internal topic cannot be a "
                    + "dead-letter topic");
        }
        if (!topic.startsWith(prefix)) {
            throw new ConfigException(ERRORS_DEADLETTERQUEUE_TOPIC_NAME, topic, "the topic name must start with '"
                    + prefix + "' (errors.deadletterqueue.topic.name.prefix)");
        }
    }

    /**
     * The broker's bounds of a bounded group config, which a group's value is capped to when the broker's bounds
     * changed after it was set; empty for an unbounded config.
     */
    static Optional<IntRange> bounds(String name, GroupConfig broker) {
        Bound bound = definition(name).bound();
        if (bound == null) {
            return Optional.empty();
        }
        IntRange range = bound.range().apply(broker);
        return Optional.of(bound.minName().isPresent() ? range : new IntRange(Integer.MIN_VALUE, range.max()));
    }

    private static Definition definition(String name) {
        Definition d = BY_NAME.get(name);
        if (d == null) {
            throw new IllegalArgumentException("not a group config: " + name);
        }
        return d;
    }

    private static InvalidConfigurationException unknown(String name) {
        return new InvalidConfigurationException("Unknown group config name: " + name);
    }

    /**
     * {@code share.auto.offset.reset}: {@code earliest}, {@code latest}, or {@code by_duration:} and a non-negative
     * ISO-8601 duration, exactly (Kafka does not trim or fold case here), with Kafka's message.
     */
    private static final class AutoOffsetResetValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String v = (String) value;
            if (!"earliest".equals(v) && !"latest".equals(v) && !isByDuration(v)) {
                throw new ConfigException(name, value, "Invalid value `" + value + "` for configuration " + name
                        + ". The value must be either 'earliest', 'latest' or of the format "
                        + "'by_duration:<PnDTnHnMn.nS>'.");
            }
        }

        private static boolean isByDuration(String v) {
            if (v == null || !v.startsWith(ShareAutoOffsetReset.BY_DURATION_PREFIX)) {
                return false;
            }
            try {
                return !Duration.parse(v.substring(ShareAutoOffsetReset.BY_DURATION_PREFIX.length())).isNegative();
            } catch (DateTimeParseException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return "[latest, earliest, by_duration:PnDTnHnMn.nS]";
        }
    }
}
