package io.herald.storage.config;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one definition of Herald's topic configs: Kafka 4.3.1's list, with Kafka's names, types, defaults,
 * validation and broker synonyms ({@link TopicConfigDefinitions} has them and says what each does in Herald).
 * Everything else derives from here: the {@link ConfigDef} fragment, the validation at the edge (CreateTopics,
 * AlterConfigs), the resolution of a topic's effective values, and the {@link LogConfig} the log runs with.
 *
 * <p>Resolution order for a topic, as in Kafka: the topic's override, then the dynamic cluster-wide broker
 * default, then the static broker config ({@code server.properties}), then Kafka's default. A broker synonym
 * is looked up most specific first ({@code log.retention.ms}, {@code .minutes}, {@code .hours}); values in
 * minutes or hours are converted to the topic config's milliseconds.
 *
 * <p>Invariant: every set of values {@link #validate(Map, Map, Map)} accepts builds a {@link LogConfig} that the
 * log can run with ({@code TopicConfigPropertyTest} checks it at every validator's edges). Values that reach
 * storage without passing the edge (written by an older Herald, or by an internal topic creator) go through
 * {@link #logConfigOrDefaults}, which replaces what cannot be served by the default instead of failing.
 *
 * <p>Thread-safety: immutable, apart from the set of already reported problems, which is concurrent.
 */
public final class TopicConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(TopicConfigs.class);
    /** Bound on the remembered problems, so that a flood of distinct bad values cannot grow it forever. */
    private static final int MAX_REPORTED = 10_000;
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    /** KIP-1191: a topic groups may write their dead-letter records to (boolean, false by default). */
    public static final String ERRORS_DEADLETTERQUEUE_GROUP_ENABLE =
        TopicConfigDefinitions.ERRORS_DEADLETTERQUEUE_GROUP_ENABLE;

    /**
     * One topic config.
     *
     * @param defaultValue   Kafka's default as DescribeConfigs shows it; null for none
     * @param brokerSynonyms the broker configs that supply the cluster-wide default, most specific first
     * @param internal       Kafka's internal (test-only) configs: accepted, not listed by DescribeConfigs
     */
    public record Key(String name, Type type, String defaultValue, ConfigDef.Validator validator,
                      String documentation, List<String> brokerSynonyms, boolean internal) {}

    /** A topic config's effective value and where it came from. */
    public record Resolved(String value, Source source, Optional<String> synonym) {}

    /** Where an effective value came from, in DescribeConfigs terms. */
    public enum Source { TOPIC, DYNAMIC_BROKER_DEFAULT, STATIC_BROKER, DEFAULT }

    private static final Map<String, Key> ALL;
    private static final Map<String, Key> PUBLIC;
    private static final ConfigDef DEF;
    /** One ConfigDef per config, so that checking one value parses only that value. */
    private static final Map<String, ConfigDef> SINGLE;
    private static final Set<String> BROKER_SYNONYMS;

    static {
        Map<String, Key> all = new LinkedHashMap<>();
        Map<String, Key> listed = new LinkedHashMap<>();
        Map<String, ConfigDef> single = new HashMap<>();
        ConfigDef def = new ConfigDef();
        for (Key key : TopicConfigDefinitions.all()) {
            all.put(key.name(), key);
            if (!key.internal()) {
                listed.put(key.name(), key);
            }
            define(def, key);
            single.put(key.name(), define(new ConfigDef(), key));
        }
        ALL = Collections.unmodifiableMap(all);
        PUBLIC = Collections.unmodifiableMap(listed);
        DEF = def;
        SINGLE = Map.copyOf(single);
        Set<String> synonyms = new java.util.LinkedHashSet<>();
        all.values().forEach(k -> synonyms.addAll(k.brokerSynonyms()));
        BROKER_SYNONYMS = Collections.unmodifiableSet(synonyms);
    }

    private static ConfigDef define(ConfigDef def, Key key) {
        Object defaultValue = key.defaultValue() == null ? null
            : ConfigDef.parseType(key.name(), key.defaultValue(), key.type());
        return key.internal()
            ? def.defineInternal(key.name(), key.type(), defaultValue, key.validator(), ConfigDef.Importance.LOW,
                key.documentation())
            : def.define(key.name(), key.type(), defaultValue, key.validator(), ConfigDef.Importance.MEDIUM,
                key.documentation());
    }

    private TopicConfigs() {
    }

    /** The topic configs DescribeConfigs lists (Kafka's internal ones are left out), in definition order. */
    public static Map<String, Key> keys() {
        return PUBLIC;
    }

    /** Any topic config by name, internal ones included. */
    public static Optional<Key> key(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    /**
     * Every broker config that supplies a topic config's cluster-wide default ({@code log.retention.ms},
     * {@code log.segment.bytes}, {@code min.insync.replicas}, ...): the names the broker reads through here, and
     * the ones IncrementalAlterConfigs may change on the default broker resource.
     */
    public static Set<String> brokerSynonyms() {
        return BROKER_SYNONYMS;
    }

    /** The topic configs as a Kafka {@link ConfigDef} fragment; a copy, so callers may add to it. */
    public static ConfigDef configDef() {
        return new ConfigDef(DEF);
    }

    /**
     * Checks one topic config value: known name, parses as its type, passes its validator. Parsing is
     * {@link ConfigDef}'s, so it does what Kafka does to a value, e.g. drops duplicates from a list (KIP-1161).
     *
     * @throws ConfigException with a message that names the config and the rule
     */
    public static void validate(String name, String value) {
        ConfigDef def = SINGLE.get(name);
        if (def == null) {
            throw new ConfigException("Unknown topic config name: " + name);
        }
        def.parse(Map.of(name, value));
    }

    /**
     * Checks a topic's overrides as a whole: each value, then the rules that tie configs together, on the
     * values the topic would run with (overrides over the broker defaults), as Kafka's controller does.
     *
     * @throws ConfigException naming the offending config
     */
    public static void validate(Map<String, String> overrides, Map<String, String> dynamicBroker,
                                Map<String, String> staticBroker) {
        overrides.forEach(TopicConfigs::validate);
        LogConfig.from(resolveAll(overrides, dynamicBroker, staticBroker));
    }

    /**
     * Checks a broker config that is a synonym of a topic config, as a topic value (minutes and hours
     * converted); a no-op for other names.
     *
     * @throws ConfigException naming the broker config
     */
    public static void validateBrokerSynonym(String brokerName, String value) {
        Optional<Key> key = ALL.values().stream().filter(k -> k.brokerSynonyms().contains(brokerName)).findFirst();
        if (key.isEmpty()) {
            return;
        }
        try {
            validate(key.get().name(), toTopicUnit(brokerName, value));
        } catch (ConfigException | NumberFormatException e) {
            throw new ConfigException(brokerName, value, e.getMessage());
        }
    }

    /**
     * The effective value of topic config {@code name}.
     *
     * @param overrides     the topic's overrides
     * @param dynamicBroker cluster-wide dynamic broker configs (IncrementalAlterConfigs on the default broker)
     * @param staticBroker  server.properties
     */
    public static Resolved resolve(String name, Map<String, String> overrides, Map<String, String> dynamicBroker,
                                   Map<String, String> staticBroker) {
        Key key = ALL.get(name);
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
            return String.valueOf(Math.multiplyExact(Long.parseLong(value.trim()), 60_000L));
        }
        if (synonym.endsWith(".hours")) {
            return String.valueOf(Math.multiplyExact(Long.parseLong(value.trim()), 3_600_000L));
        }
        return value.trim();
    }

    /** The effective value of every topic config that has one (an internal config without a value has none). */
    private static Map<String, String> resolveAll(Map<String, String> overrides, Map<String, String> dynamicBroker,
                                                  Map<String, String> staticBroker) {
        Map<String, String> values = new HashMap<>();
        for (String name : ALL.keySet()) {
            String value = resolve(name, overrides, dynamicBroker, staticBroker).value();
            if (value != null) {
                values.put(name, value);
            }
        }
        return values;
    }

    /**
     * The storage engine's view of a topic's effective configs, strictly.
     *
     * @throws ConfigException when a value is invalid
     */
    public static LogConfig toLogConfig(Map<String, String> overrides, Map<String, String> dynamicBroker,
                                        Map<String, String> staticBroker) {
        return LogConfig.from(resolveAll(overrides, dynamicBroker, staticBroker));
    }

    /**
     * The storage engine's view of {@code topic}'s effective configs, never failing: a value that cannot be
     * served (an older Herald accepted it, or it never passed the edge) is logged as an error naming the topic
     * and the config, once per distinct value, and replaced by the config's default, so that one topic's
     * stored configs cannot stop the broker from starting or serving other partitions.
     */
    public static LogConfig logConfigOrDefaults(String topic, Map<String, String> overrides,
                                                Map<String, String> dynamicBroker, Map<String, String> staticBroker) {
        Map<String, String> values = new HashMap<>();
        for (Key key : ALL.values()) {
            String value;
            try {
                value = resolve(key.name(), overrides, dynamicBroker, staticBroker).value();
                if (value != null) {
                    validate(key.name(), value);
                    values.put(key.name(), value);
                }
            } catch (ConfigException | ArithmeticException | NumberFormatException e) {
                reportUnservable(topic, key, e.getMessage());
            }
        }
        try {
            return LogConfig.from(values);
        } catch (ConfigException e) {
            // Only a rule between configs is left; the dependent config yields (see LogConfig.checkRules).
            reportUnservable(topic, ALL.get(LogConfig.RULE_DEPENDENT_CONFIG), e.getMessage());
            values.remove(LogConfig.RULE_DEPENDENT_CONFIG);
            return LogConfig.from(values);
        }
    }

    private static void reportUnservable(String topic, Key key, String problem) {
        if (REPORTED.size() > MAX_REPORTED) {
            REPORTED.clear();
        }
        if (REPORTED.add(topic + '\0' + key.name() + '\0' + problem)) {
            LOG.error("Topic {}: config {} cannot be served ({}); using its default {} instead", topic, key.name(),
                problem, key.defaultValue());
        }
    }
}
