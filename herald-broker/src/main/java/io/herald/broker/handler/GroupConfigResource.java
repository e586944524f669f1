package io.herald.broker.handler;

import io.herald.group.GroupConfig;
import io.herald.group.config.DynamicGroupConfigs;
import io.herald.metadata.image.ClusterImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * The GROUP config resource (Kafka's dynamic group configs, KIP-848/KIP-932): what DescribeConfigs answers for a
 * group, and the checked changes IncrementalAlterConfigs and AlterConfigs store for it. A group need not exist to
 * have configs, as in Kafka.
 *
 * <p>DescribeConfigs answers as Kafka 4.3.1's {@code ConfigHelper} does: every group config, the group's own value
 * (source {@code GROUP_CONFIG}, id 8; the admin client's {@code DYNAMIC_GROUP_CONFIG}) or else the broker's value
 * where the config falls back to one, and the synonyms below it: the broker config ({@code group.share.*}, ...) as
 * set in {@code server.properties} (STATIC_BROKER_CONFIG) and its default (DEFAULT_CONFIG); a config without a
 * broker synonym lists its own default. The first synonym is the source. Herald's broker has no dynamic group
 * broker configs, so DYNAMIC_BROKER_CONFIG never appears.
 *
 * <p>Immutable and thread-safe.
 */
final class GroupConfigResource {
    private final GroupConfig broker;
    private final Map<String, String> staticBroker;

    /**
     * @param broker       the broker's group configs (the fragment parsed from {@code staticBroker})
     * @param staticBroker server.properties as given
     */
    GroupConfigResource(GroupConfig broker, Map<String, String> staticBroker) {
        this.broker = broker;
        this.staticBroker = Map.copyOf(staticBroker);
    }

    List<DescribeConfigsResourceResult> describe(ClusterImage image, String group, boolean includeSynonyms) {
        if (group.isEmpty()) {
            throw new InvalidRequestException("Group name must not be empty");
        }
        Map<String, String> stored = image.groupConfigs(group);
        List<DescribeConfigsResourceResult> entries = new ArrayList<>();
        for (DynamicGroupConfigs.Key key : DynamicGroupConfigs.keys()) {
            String value = stored.containsKey(key.name()) ? displayed(key, stored.get(key.name()))
                    : ConfigDef.convertToString(DynamicGroupConfigs.fallback(key.name(), broker), key.type());
            List<DescribeConfigsSynonym> synonyms = synonyms(key, stored, value);
            entries.add(new DescribeConfigsResourceResult().setName(key.name()).setValue(value)
                    .setConfigSource(synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG.id() : synonyms.get(0).source())
                    .setIsSensitive(false).setReadOnly(false)
                    .setSynonyms(includeSynonyms ? synonyms : List.of())
                    .setConfigType(ConfigsHandler.configType(key.type())));
        }
        return entries;
    }

    /** A stored value as Kafka shows it: parsed and printed back (" 100 " is 100); unparsable ones as stored. */
    private static String displayed(DynamicGroupConfigs.Key key, String stored) {
        try {
            return ConfigDef.convertToString(DynamicGroupConfigs.parse(key.name(), stored), key.type());
        } catch (KafkaException e) {
            return stored;
        }
    }

    private List<DescribeConfigsSynonym> synonyms(DynamicGroupConfigs.Key key, Map<String, String> stored,
                                                  String value) {
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (stored.containsKey(key.name())) {
            synonyms.add(synonym(key.name(), value, ConfigSource.GROUP_CONFIG));
        }
        if (key.brokerSynonym().isPresent()) {
            String name = key.brokerSynonym().get();
            ConfigDef.ConfigKey brokerKey = GroupConfig.CONFIG_DEF.configKeys().get(name);
            // A Kafka broker config Herald does not read (group.streams.*, ...) is ignored when given, so only its
            // default, Kafka's, which is also the group default, stands behind the group config.
            if (brokerKey != null && staticBroker.containsKey(name)) {
                synonyms.add(synonym(name, staticBroker.get(name), ConfigSource.STATIC_BROKER_CONFIG));
            }
            synonyms.add(synonym(name, brokerKey != null
                    ? ConfigDef.convertToString(brokerKey.defaultValue, brokerKey.type) : key.defaultValue(),
                    ConfigSource.DEFAULT_CONFIG));
        } else if (key.defaultValue() != null) {
            synonyms.add(synonym(key.name(), key.defaultValue(), ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms;
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    /**
     * The changes to store for {@code ops} on {@code group}, checked as Kafka's controller checks them: on the
     * group's whole config after the change ({@link DynamicGroupConfigs#validate}). Deleting a config the group
     * does not have, or one no group config is called, is allowed, as in Kafka.
     *
     * @param ops each name at most once, every non-DELETE with a value (the caller checked)
     * @throws org.apache.kafka.common.errors.ApiException or ConfigException with Kafka's message
     */
    Map<String, Optional<String>> changes(ClusterImage image, String group, List<Op> ops) {
        if (group.isEmpty()) {
            throw new InvalidRequestException("Default group resources are not allowed.");
        }
        Map<String, Optional<String>> changes = new HashMap<>();
        for (Op op : ops) {
            changes.put(op.name(), switch (op.type()) {
                case SET -> Optional.of(op.value());
                case DELETE -> Optional.empty();
                // No group config is a list.
                case APPEND, SUBTRACT -> throw new InvalidConfigurationException("Can't " + op.type() + " to key "
                        + op.name() + " because its type is not LIST.");
            });
        }
        Map<String, String> after = new HashMap<>(image.groupConfigs(group));
        changes.forEach((name, value) -> value.ifPresentOrElse(v -> after.put(name, v), () -> after.remove(name)));
        DynamicGroupConfigs.validate(after, broker);
        return changes;
    }

    /** One requested change of a config. */
    record Op(String name, AlterConfigOp.OpType type, String value) {}
}
