package io.herald.broker.handler;

import io.herald.broker.StaticBrokerConfigs;
import io.herald.storage.config.TopicConfigs;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.TopicAdmin;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * DescribeConfigs, IncrementalAlterConfigs and (the older) AlterConfigs for topics and brokers.
 *
 * <p>Topic configs resolve as Kafka's do (topic override, dynamic broker default, static broker config,
 * default), and DescribeConfigs reports the source and, when asked, the synonyms. Brokers accept dynamic
 * changes only to the configs Kafka lets change at runtime: the cluster-wide defaults of topic configs
 * ({@code log.retention.ms}, {@code message.max.bytes}, …). Until there are several brokers, a change to one
 * broker's config is stored as the cluster-wide default. Every value is checked against the topic config
 * definitions ({@link TopicConfigs}), a topic's also as a whole, and refused with INVALID_CONFIG naming the config.
 */
public final class ConfigsHandler {
    private final TopicAdmin admin;
    private final MetadataPublisher metadata;
    private final StaticBrokerConfigs config;
    private final int nodeId;
    private final Executor pool;

    public ConfigsHandler(TopicAdmin admin, MetadataPublisher metadata, StaticBrokerConfigs config, int nodeId,
                          Executor pool) {
        this.admin = admin;
        this.metadata = metadata;
        this.nodeId = nodeId;
        this.config = config;
        this.pool = pool;
    }

    /**
     * DescribeConfigs v1 (Kafka 4's oldest) to v4: sources and synonyms from v1, config types from v3. The
     * documentation v3 may ask for is not provided (null, which the protocol allows).
     */
    public ServedApi describeConfigs() {
        return new ServedApi(ApiKeys.DESCRIBE_CONFIGS, VersionRange.of(1, 4),
                request -> Requests.onPool(pool, () -> describe(((DescribeConfigsRequest) request.body()).data())));
    }

    /** IncrementalAlterConfigs v0 to v1 (v1 is only flexible encoding). */
    public ServedApi incrementalAlterConfigs() {
        return new ServedApi(ApiKeys.INCREMENTAL_ALTER_CONFIGS, VersionRange.of(0, 1),
                request -> Requests.onPool(pool,
                        () -> alter(((IncrementalAlterConfigsRequest) request.body()).data())));
    }

    /**
     * The older AlterConfigs, v0 to v2 (v1 is v0, v2 only flexible encoding): the given configs replace all of
     * the resource's dynamic configs.
     */
    public ServedApi alterConfigs() {
        return new ServedApi(ApiKeys.ALTER_CONFIGS, VersionRange.of(0, 2),
                request -> Requests.onPool(pool, () -> replace(((AlterConfigsRequest) request.body()).data())));
    }

    private DescribeConfigsResponseData describe(DescribeConfigsRequestData data) {
        ClusterImage image = metadata.image();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code());
            try {
                List<DescribeConfigsResourceResult> entries = switch (ConfigResource.Type.forId(resource.resourceType())) {
                    case TOPIC -> describeTopic(image, resource.resourceName(), data.includeSynonyms());
                    case BROKER -> describeBroker(image, resource.resourceName(), data.includeSynonyms());
                    default -> throw new InvalidRequestException("Unsupported resource type "
                            + resource.resourceType());
                };
                List<String> keys = resource.configurationKeys();
                for (DescribeConfigsResourceResult entry : entries) {
                    if (keys == null || keys.contains(entry.name())) {
                        result.configs().add(entry);
                    }
                }
            } catch (RuntimeException e) {
                result.setErrorCode(Requests.error(e).code()).setErrorMessage(Requests.message(e));
            }
            response.results().add(result);
        }
        return response;
    }

    private List<DescribeConfigsResourceResult> describeTopic(ClusterImage image, String name, boolean synonyms) {
        TopicImage topic = image.topic(name).orElseThrow(() ->
                new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
        List<DescribeConfigsResourceResult> entries = new ArrayList<>();
        List<TopicConfigs.Key> keys = new ArrayList<>(TopicConfigs.keys().values());
        // Kafka's internal (test-only) configs are described only where the topic sets them.
        topic.configs().keySet().stream().map(TopicConfigs::key).flatMap(Optional::stream)
                .filter(TopicConfigs.Key::internal).forEach(keys::add);
        for (TopicConfigs.Key key : keys) {
            TopicConfigs.Resolved resolved = TopicConfigs.resolve(key.name(), topic.configs(), image.brokerConfigs(),
                    config.originals());
            DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult().setName(key.name())
                    .setValue(resolved.value()).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(TopicsHandler.configSource(resolved.source()))
                    .setConfigType(configType(key.type()));
            if (synonyms) {
                entry.setSynonyms(topicSynonyms(key, topic.configs(), image.brokerConfigs()));
            }
            entries.add(entry);
        }
        return entries;
    }

    private List<DescribeConfigsSynonym> topicSynonyms(TopicConfigs.Key key, Map<String, String> overrides,
                                                       Map<String, String> dynamic) {
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (overrides.containsKey(key.name())) {
            synonyms.add(synonym(key.name(), overrides.get(key.name()), DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG));
        }
        for (String s : key.brokerSynonyms()) {
            if (dynamic.containsKey(s)) {
                synonyms.add(synonym(s, dynamic.get(s),
                        DescribeConfigsResponse.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
            }
        }
        for (String s : key.brokerSynonyms()) {
            if (config.originals().containsKey(s)) {
                synonyms.add(synonym(s, config.originals().get(s),
                        DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG));
            }
        }
        if (!key.brokerSynonyms().isEmpty()) {
            synonyms.add(synonym(key.brokerSynonyms().get(0), key.defaultValue(),
                    DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms;
    }

    private static DescribeConfigsSynonym synonym(String name, String value,
                                                  DescribeConfigsResponse.ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private List<DescribeConfigsResourceResult> describeBroker(ClusterImage image, String name, boolean synonyms) {
        checkBrokerName(name);
        Map<String, DescribeConfigsResourceResult> entries = new LinkedHashMap<>();
        config.effectiveValues().forEach((key, value) -> entries.put(key, new DescribeConfigsResourceResult()
                .setName(key).setValue(value).setReadOnly(true).setIsSensitive(false)
                .setConfigSource((config.isDefault(key) ? DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG
                        : DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG).id())));
        for (TopicConfigs.Key key : TopicConfigs.keys().values()) {
            if (key.brokerSynonyms().isEmpty()) {
                continue; // a topic-only config (replication throttles, tiered storage flags)
            }
            String primary = key.brokerSynonyms().get(0);
            String value;
            DescribeConfigsResponse.ConfigSource source;
            if (image.brokerConfigs().containsKey(primary)) {
                value = image.brokerConfigs().get(primary);
                source = DescribeConfigsResponse.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
            } else if (config.originals().containsKey(primary)) {
                value = config.originals().get(primary);
                source = DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG;
            } else {
                value = TopicConfigs.resolve(key.name(), Map.of(), image.brokerConfigs(), config.originals())
                        .value();
                source = DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG;
            }
            DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult().setName(primary)
                    .setValue(value).setReadOnly(false).setIsSensitive(false).setConfigSource(source.id())
                    .setConfigType(configType(key.type()));
            if (synonyms) {
                entry.setSynonyms(List.of(synonym(primary, value, source)));
            }
            entries.put(primary, entry);
        }
        return new ArrayList<>(entries.values());
    }

    private void checkBrokerName(String name) {
        if (!name.isEmpty() && !name.equals(String.valueOf(nodeId))) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId
                    + " or empty string, but received " + name);
        }
    }

    private IncrementalAlterConfigsResponseData alter(IncrementalAlterConfigsRequestData data) {
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(Errors.NONE.code());
            tryAlter(() -> alterResource(resource, data.validateOnly()))
                    .ifPresent(error -> result.setErrorCode(error.error().code()).setErrorMessage(error.message()));
            response.responses().add(result);
        }
        return response;
    }

    private AlterConfigsResponseData replace(AlterConfigsRequestData data) {
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse result =
                    new AlterConfigsResponseData.AlterConfigsResourceResponse().setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code());
            tryAlter(() -> alterResource(asIncremental(resource), data.validateOnly()))
                    .ifPresent(error -> result.setErrorCode(error.error().code()).setErrorMessage(error.message()));
            response.responses().add(result);
        }
        return response;
    }

    /** Runs one resource's change; empty if it succeeded, else its Kafka error (INVALID_CONFIG for a bad value). */
    private static Optional<ApiError> tryAlter(Runnable alter) {
        try {
            alter.run();
            return Optional.empty();
        } catch (ConfigException e) {
            return Optional.of(new ApiError(Errors.INVALID_CONFIG, e.getMessage()));
        } catch (RuntimeException e) {
            return Optional.of(new ApiError(Requests.error(e), Requests.message(e)));
        }
    }

    /** A replacement as incremental operations: SET each given config, DELETE every other current one. */
    private IncrementalAlterConfigsRequestData.AlterConfigsResource asIncremental(
            AlterConfigsRequestData.AlterConfigsResource resource) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource ops =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
        Map<String, String> current = switch (ConfigResource.Type.forId(resource.resourceType())) {
            case TOPIC -> metadata.image().topic(resource.resourceName()).map(TopicImage::configs).orElse(Map.of());
            case BROKER -> metadata.image().brokerConfigs();
            default -> Map.of();
        };
        for (AlterConfigsRequestData.AlterableConfig c : resource.configs()) {
            ops.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(c.name())
                    .setValue(c.value()).setConfigOperation(AlterConfigOp.OpType.SET.id()));
        }
        for (String name : current.keySet()) {
            if (resource.configs().find(name) == null) {
                ops.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(name)
                        .setConfigOperation(AlterConfigOp.OpType.DELETE.id()));
            }
        }
        return ops;
    }

    private void alterResource(IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
                               boolean validateOnly) {
        ClusterImage image = metadata.image();
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        Map<String, String> current;
        ResourceKind kind;
        String resourceName;
        switch (type) {
            case TOPIC -> {
                current = image.topic(resource.resourceName()).orElseThrow(() ->
                        new UnknownTopicOrPartitionException("Topic '" + resource.resourceName()
                                + "' does not exist.")).configs();
                kind = ResourceKind.TOPIC;
                resourceName = resource.resourceName();
            }
            case BROKER -> {
                checkBrokerName(resource.resourceName());
                current = image.brokerConfigs();
                kind = ResourceKind.BROKER;
                resourceName = "";
            }
            default -> throw new InvalidRequestException("Unsupported resource type " + resource.resourceType());
        }
        Map<String, Optional<String>> changes = new HashMap<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig op : resource.configs()) {
            String topicKey = kind == ResourceKind.TOPIC ? op.name() : topicKeyOfBrokerConfig(op.name());
            TopicConfigs.Key key = TopicConfigs.key(topicKey).orElseThrow(() ->
                    new InvalidConfigurationException("Unknown " + (kind == ResourceKind.TOPIC ? "topic" : "dynamic broker")
                            + " config name: " + op.name()));
            AlterConfigOp.OpType opType = AlterConfigOp.OpType.forId(op.configOperation());
            if (opType == null) {
                throw new InvalidRequestException("Unknown config operation " + op.configOperation());
            }
            Optional<String> value = switch (opType) {
                case SET -> Optional.of(requireValue(op));
                case DELETE -> Optional.empty();
                case APPEND, SUBTRACT -> {
                    if (key.type() != ConfigDef.Type.LIST) {
                        throw new InvalidConfigurationException("Config value append is not allowed for config key: "
                                + op.name());
                    }
                    String base = current.containsKey(op.name()) ? current.get(op.name())
                            : TopicConfigs.resolve(topicKey, Map.of(), image.brokerConfigs(), config.originals()).value();
                    List<String> items = new ArrayList<>(Arrays.stream(base.split(","))
                            .map(String::trim).filter(s -> !s.isEmpty()).toList());
                    for (String item : requireValue(op).split(",")) {
                        String v = item.trim();
                        if (opType == AlterConfigOp.OpType.APPEND && !items.contains(v)) {
                            items.add(v);
                        } else if (opType == AlterConfigOp.OpType.SUBTRACT) {
                            items.remove(v);
                        }
                    }
                    yield Optional.of(String.join(",", items));
                }
            };
            if (value.isPresent()) {
                if (kind == ResourceKind.BROKER) {
                    TopicConfigs.validateBrokerSynonym(op.name(), value.get());
                } else {
                    TopicConfigs.validate(topicKey, value.get());
                }
            }
            changes.put(op.name(), value);
        }
        if (kind == ResourceKind.TOPIC) {
            // The rules between configs apply to what the topic will run with, as the controller checks in Kafka.
            Map<String, String> after = new HashMap<>(current);
            changes.forEach((name, value) -> value.ifPresentOrElse(v -> after.put(name, v), () -> after.remove(name)));
            TopicConfigs.validate(after, image.brokerConfigs(), config.originals());
        }
        if (!validateOnly) {
            admin.alterConfigs(kind, resourceName, changes);
        }
    }

    private static String requireValue(IncrementalAlterConfigsRequestData.AlterableConfig op) {
        if (op.value() == null) {
            throw new InvalidRequestException("Null value not supported for " + op.name());
        }
        return op.value();
    }

    private static String topicKeyOfBrokerConfig(String brokerName) {
        if (!TopicConfigs.brokerSynonyms().contains(brokerName)) {
            throw new InvalidRequestException("Cannot update these configs dynamically: [" + brokerName + "]");
        }
        return TopicConfigs.keys().values().stream().filter(k -> k.brokerSynonyms().contains(brokerName))
                .findFirst().orElseThrow().name();
    }

    private static byte configType(ConfigDef.Type type) {
        return (switch (type) {
            case BOOLEAN -> DescribeConfigsResponse.ConfigType.BOOLEAN;
            case STRING -> DescribeConfigsResponse.ConfigType.STRING;
            case INT -> DescribeConfigsResponse.ConfigType.INT;
            case SHORT -> DescribeConfigsResponse.ConfigType.SHORT;
            case LONG -> DescribeConfigsResponse.ConfigType.LONG;
            case DOUBLE -> DescribeConfigsResponse.ConfigType.DOUBLE;
            case LIST -> DescribeConfigsResponse.ConfigType.LIST;
            case CLASS -> DescribeConfigsResponse.ConfigType.CLASS;
            case PASSWORD -> DescribeConfigsResponse.ConfigType.PASSWORD;
        }).id();
    }
}
