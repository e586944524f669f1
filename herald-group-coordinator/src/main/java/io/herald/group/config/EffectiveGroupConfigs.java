package io.herald.group.config;

import static io.herald.group.config.DynamicGroupConfigs.CONSUMER_HEARTBEAT_INTERVAL_MS;
import static io.herald.group.config.DynamicGroupConfigs.CONSUMER_SESSION_TIMEOUT_MS;
import static io.herald.group.config.DynamicGroupConfigs.ERRORS_DEADLETTERQUEUE_COPY_RECORD_ENABLE;
import static io.herald.group.config.DynamicGroupConfigs.ERRORS_DEADLETTERQUEUE_TOPIC_NAME;
import static io.herald.group.config.DynamicGroupConfigs.HERALD_SHARE_RETRY_BACKOFF_MAX_MS;
import static io.herald.group.config.DynamicGroupConfigs.HERALD_SHARE_RETRY_BACKOFF_MS;
import static io.herald.group.config.DynamicGroupConfigs.HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_AUTO_OFFSET_RESET;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_DELIVERY_COUNT_LIMIT;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_HEARTBEAT_INTERVAL_MS;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_ISOLATION_LEVEL;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_PARTITION_MAX_RECORD_LOCKS;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_RECORD_LOCK_DURATION_MS;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_RENEW_ACKNOWLEDGE_ENABLE;
import static io.herald.group.config.DynamicGroupConfigs.SHARE_SESSION_TIMEOUT_MS;

import io.herald.group.GroupConfig;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's effective settings from its stored dynamic configs over the broker's defaults, as Kafka's group
 * coordinator computes them ({@code GroupConfig.evaluate}): a group's bounded value the broker's current bounds no
 * longer allow (they were changed after it was set) is capped to them, with a warning, and a session timeout not
 * above the heartbeat interval is warned about. A stored value that cannot be served (it never passed the
 * validation at the edge, or an older Herald wrote it) is logged as an error naming group and config, and the
 * broker default is used instead, so one group's configs can never stop the broker from serving.
 *
 * <p>Stateless and thread-safe. Callers cache the results per metadata image.
 */
public final class EffectiveGroupConfigs {
    private static final Logger log = LoggerFactory.getLogger(EffectiveGroupConfigs.class);

    private EffectiveGroupConfigs() {
    }

    /** A share group's settings; {@code configs} are its stored group configs. */
    public static ShareGroupSettings share(String groupId, Map<String, String> configs, GroupConfig broker) {
        Values v = new Values(groupId, configs, broker);
        int sessionTimeoutMs = v.bounded(SHARE_SESSION_TIMEOUT_MS);
        int heartbeatIntervalMs = v.bounded(SHARE_HEARTBEAT_INTERVAL_MS);
        v.warnUnlessSessionExceedsHeartbeat(SHARE_SESSION_TIMEOUT_MS, sessionTimeoutMs, SHARE_HEARTBEAT_INTERVAL_MS,
                heartbeatIntervalMs);
        return new ShareGroupSettings(sessionTimeoutMs, heartbeatIntervalMs, broker.share().maxSize(),
                v.bounded(SHARE_RECORD_LOCK_DURATION_MS), v.bounded(SHARE_DELIVERY_COUNT_LIMIT),
                v.bounded(SHARE_PARTITION_MAX_RECORD_LOCKS),
                ShareAutoOffsetReset.parse((String) v.value(SHARE_AUTO_OFFSET_RESET)),
                IsolationLevel.valueOf(((String) v.value(SHARE_ISOLATION_LEVEL)).toUpperCase(java.util.Locale.ROOT)),
                (Boolean) v.value(SHARE_RENEW_ACKNOWLEDGE_ENABLE), v.deadLetterTopic(),
                (Boolean) v.value(ERRORS_DEADLETTERQUEUE_COPY_RECORD_ENABLE),
                (Long) v.value(HERALD_SHARE_RETRY_BACKOFF_MS), (Long) v.value(HERALD_SHARE_RETRY_BACKOFF_MAX_MS),
                (Double) v.value(HERALD_SHARE_RETRY_BACKOFF_MULTIPLIER));
    }

    /** A KIP-848 consumer group's settings; {@code configs} are its stored group configs. */
    public static ConsumerGroupSettings consumer(String groupId, Map<String, String> configs, GroupConfig broker) {
        Values v = new Values(groupId, configs, broker);
        int sessionTimeoutMs = v.bounded(CONSUMER_SESSION_TIMEOUT_MS);
        int heartbeatIntervalMs = v.bounded(CONSUMER_HEARTBEAT_INTERVAL_MS);
        v.warnUnlessSessionExceedsHeartbeat(CONSUMER_SESSION_TIMEOUT_MS, sessionTimeoutMs,
                CONSUMER_HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs);
        return new ConsumerGroupSettings(sessionTimeoutMs, heartbeatIntervalMs);
    }

    /** One group's values by config name: its own where it has a servable one, else the fallback. */
    private record Values(String groupId, Map<String, String> configs, GroupConfig broker) {

        Object value(String name) {
            String stored = configs.get(name);
            if (stored != null) {
                try {
                    return DynamicGroupConfigs.parse(name, stored);
                } catch (KafkaException e) { // ConfigException, InvalidConfigurationException
                    log.error("Group {}: config {}={} cannot be served ({}); using {} instead", groupId, name, stored,
                            e.getMessage(), DynamicGroupConfigs.fallback(name, broker));
                }
            }
            return DynamicGroupConfigs.fallback(name, broker);
        }

        /** An int config capped to the broker's bounds, which only a group's own value can be outside of. */
        int bounded(String name) {
            int value = (Integer) value(name);
            IntRange range = DynamicGroupConfigs.bounds(name, broker).orElseThrow();
            int capped = range.clamp(value);
            if (capped != value) {
                log.warn("Group {}: config {}={} is outside the broker's bounds [{}, {}]; using {}", groupId, name,
                        value, range.min() == Integer.MIN_VALUE ? "-" : range.min(), range.max(), capped);
            }
            return capped;
        }

        void warnUnlessSessionExceedsHeartbeat(String session, int sessionMs, String heartbeat, int heartbeatMs) {
            if (sessionMs <= heartbeatMs) {
                log.warn("Group {}: the effective {} ({}) is not greater than {} ({}); check that the broker's "
                        + "bounds of the two do not overlap", groupId, session, sessionMs, heartbeat, heartbeatMs);
            }
        }

        /**
         * The dead-letter topic, also checked against the broker's current prefix (KIP-1191): a prefix changed
         * after the topic was set must not let the group's records go to a topic outside it.
         */
        Optional<String> deadLetterTopic() {
            Optional<String> topic = Optional.ofNullable((String) value(ERRORS_DEADLETTERQUEUE_TOPIC_NAME))
                    .filter(t -> !t.isEmpty());
            String prefix = broker.share().deadLetterTopicNamePrefix();
            if (topic.isPresent() && !topic.get().startsWith(prefix)) {
                log.error("Group {}: dead-letter topic {} does not start with {} ({}); not dead-lettering", groupId,
                        topic.get(), GroupConfig.ERRORS_DEADLETTERQUEUE_TOPIC_NAME_PREFIX, prefix);
                return Optional.empty();
            }
            return topic;
        }
    }
}
