package io.herald.broker.handler;

import io.herald.broker.StaticBrokerConfigs;
import io.herald.broker.security.Authorization;
import io.herald.common.config.ConfigValues;
import io.herald.group.GroupConfig;
import io.herald.storage.config.TopicConfigs;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.TopicAdmin;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.acl.AclOperation;
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
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.ListConfigResourcesRequest;

/**
 * DescribeConfigs, IncrementalAlterConfigs and (the older) AlterConfigs for topics, brokers and groups.
 *
 * <p>Topic configs resolve as Kafka's do (topic override, dynamic broker default, static broker config,
 * default), and DescribeConfigs reports the source and, when asked, the synonyms. Brokers accept dynamic
 * changes only to the configs Kafka lets change at runtime: the cluster-wide defaults of topic configs
 * ({@code log.retention.ms}, {@code message.max.bytes}, …). Until there are several brokers, a change to one
 * broker's config is stored as the cluster-wide default. Every value is checked against the topic config
 * definitions ({@link TopicConfigs}), a topic's also as a whole, and refused with INVALID_CONFIG naming the config.
 * Groups (Kafka's GROUP resource, KIP-848/KIP-932) have the dynamic group configs, see {@link GroupConfigResource}.
 *
 * <p>Before any resource is looked at, a request is checked as Kafka's {@code ConfigAdminManager} does: a resource
 * named twice, a config named twice in one resource, and a value missing from anything but a DELETE are
 * INVALID_REQUEST with Kafka's messages.
 *
 * <p>ACLs, per resource, as Kafka checks them (its {@code ConfigHelper} for DescribeConfigs, its controller for the
 * alterations, the broker itself for broker loggers): DESCRIBE_CONFIGS to describe, ALTER_CONFIGS to alter, on the
 * topic (else TOPIC_AUTHORIZATION_FAILED), on the group (else GROUP_AUTHORIZATION_FAILED) or, for a broker, a broker
 * logger or client metrics, on the cluster (else CLUSTER_AUTHORIZATION_FAILED); a refused resource answers the error
 * with its standard message and nothing else. An alteration is checked after the request checks above. Listing config
 * resources needs DESCRIBE_CONFIGS on the cluster, else the request answers CLUSTER_AUTHORIZATION_FAILED.
 */
public final class ConfigsHandler {
    /**
     * Read-only entries that describe this broker's state rather than configure it (delayed records pending on
     * the timer partitions it leads, say), listed with its configs when it is described by its id; any thread.
     */
    @FunctionalInterface
    public interface BrokerStatus {
        Map<String, String> entries();
    }

    private final TopicAdmin admin;
    private final MetadataPublisher metadata;
    private final StaticBrokerConfigs config;
    private final int nodeId;
    private final Executor pool;
    private final GroupConfigResource groups;
    private final BrokerStatus status;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public ConfigsHandler(TopicAdmin admin, MetadataPublisher metadata, StaticBrokerConfigs config, int nodeId,
                          Executor pool, BrokerStatus status, Authorization authorization) {
        this.authorization = authorization;
        this.status = status;
        this.admin = admin;
        this.metadata = metadata;
        this.nodeId = nodeId;
        this.config = config;
        this.pool = pool;
        // The group fragment of the same static configs the node parsed at start, so it cannot fail here.
        this.groups = new GroupConfigResource(GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF,
                config.originals())), config.originals());
    }

    /**
     * DescribeConfigs v1 (Kafka 4's oldest) to v4: sources and synonyms from v1, config types from v3. The
     * documentation v3 may ask for is not provided (null, which the protocol allows).
     */
    public ServedApi describeConfigs() {
        return new ServedApi(ApiKeys.DESCRIBE_CONFIGS, VersionRange.of(1, 4),
                request -> Requests.onPool(pool,
                        () -> describe(request, ((DescribeConfigsRequest) request.body()).data())));
    }

    /**
     * ListConfigResources (KIP-1142) v0 to v1: v0 lists client metrics subscriptions, which Herald has none of; v1
     * lists resources of the asked types (all when none are asked) as Kafka does: groups with dynamic configs,
     * every registered broker (as BROKER and BROKER_LOGGER), every topic. A type the version does not know is
     * UNSUPPORTED_VERSION. {@code kafka-configs.sh --entity-type groups --describe} without a name uses it to find
     * the groups that have configs. Answered from the image, on the event loop.
     */
    public ServedApi listConfigResources() {
        return new ServedApi(ApiKeys.LIST_CONFIG_RESOURCES, VersionRange.of(0, 1), request -> {
            if (!authorization.cluster(request, AclOperation.DESCRIBE_CONFIGS)) {
                return CompletableFuture.completedFuture(Authorization.refusal(request,
                        Errors.CLUSTER_AUTHORIZATION_FAILED.exception()));
            }
            return Requests.now(list((ListConfigResourcesRequest) request.body()));
        });
    }

    /**
     * The error answering a resource whose config the principal may not {@code operation} (DESCRIBE_CONFIGS or
     * ALTER_CONFIGS), if it may not: the check of its resource type (see the class comment). Types without configs
     * are not checked; they are refused for what they are.
     */
    private Optional<Errors> refusal(KafkaRequest request, AclOperation operation, byte resourceType, String name) {
        return switch (ConfigResource.Type.forId(resourceType)) {
            case TOPIC -> authorization.topic(request, operation, name) ? Optional.empty()
                    : Optional.of(Errors.TOPIC_AUTHORIZATION_FAILED);
            case GROUP -> authorization.group(request, operation, name) ? Optional.empty()
                    : Optional.of(Errors.GROUP_AUTHORIZATION_FAILED);
            case BROKER, BROKER_LOGGER, CLIENT_METRICS -> authorization.cluster(request, operation) ? Optional.empty()
                    : Optional.of(Errors.CLUSTER_AUTHORIZATION_FAILED);
            default -> Optional.empty();
        };
    }

    private ListConfigResourcesResponseData list(ListConfigResourcesRequest request) {
        ListConfigResourcesResponseData response = new ListConfigResourcesResponseData();
        Set<Byte> supported = request.supportedResourceTypes();
        List<Byte> types = request.data().resourceTypes().isEmpty() ? List.copyOf(supported)
                : request.data().resourceTypes();
        if (!supported.containsAll(types)) {
            return response.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        }
        ClusterImage image = metadata.image();
        for (byte id : types) {
            List<String> names = switch (ConfigResource.Type.forId(id)) {
                case GROUP -> new ArrayList<>(image.groupConfigs().keySet());
                case BROKER, BROKER_LOGGER -> image.brokers().keySet().stream().map(String::valueOf).toList();
                case TOPIC -> new ArrayList<>(image.topics().keySet());
                default -> List.of(); // CLIENT_METRICS: no subscriptions in Herald
            };
            names.stream().sorted().forEach(name -> response.configResources().add(
                    new ListConfigResourcesResponseData.ConfigResource().setResourceName(name).setResourceType(id)));
        }
        return response;
    }

    /** IncrementalAlterConfigs v0 to v1 (v1 is only flexible encoding). */
    public ServedApi incrementalAlterConfigs() {
        return new ServedApi(ApiKeys.INCREMENTAL_ALTER_CONFIGS, VersionRange.of(0, 1),
                request -> Requests.onPool(pool,
                        () -> alter(request, ((IncrementalAlterConfigsRequest) request.body()).data())));
    }

    /**
     * The older AlterConfigs, v0 to v2 (v1 is v0, v2 only flexible encoding): the given configs replace all of
     * the resource's dynamic configs.
     */
    public ServedApi alterConfigs() {
        return new ServedApi(ApiKeys.ALTER_CONFIGS, VersionRange.of(0, 2),
                request -> Requests.onPool(pool,
                        () -> replace(request, ((AlterConfigsRequest) request.body()).data())));
    }

    private DescribeConfigsResponseData describe(KafkaRequest request, DescribeConfigsRequestData data) {
        ClusterImage image = metadata.image();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code());
            Optional<Errors> refused = refusal(request, AclOperation.DESCRIBE_CONFIGS, resource.resourceType(),
                    resource.resourceName());
            if (refused.isPresent()) {
                response.results().add(result.setErrorCode(refused.get().code())
                        .setErrorMessage(refused.get().message()));
                continue;
            }
            try {
                List<DescribeConfigsResourceResult> entries = switch (ConfigResource.Type.forId(resource.resourceType())) {
                    case TOPIC -> describeTopic(image, resource.resourceName(), data.includeSynonyms());
                    case BROKER -> describeBroker(image, resource.resourceName(), data.includeSynonyms());
                    case GROUP -> groups.describe(image, resource.resourceName(), data.includeSynonyms());
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
                new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
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
                .setName(key).setValue(config.isSensitive(key) ? null : value).setReadOnly(true)
                .setIsSensitive(config.isSensitive(key))
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
        if (!name.isEmpty()) {
            // State, not configuration: read-only, of no known source, and only where this broker is named.
            status.entries().forEach((key, value) -> entries.put(key, new DescribeConfigsResourceResult()
                    .setName(key).setValue(value).setReadOnly(true).setIsSensitive(false)
                    .setConfigSource(DescribeConfigsResponse.ConfigSource.UNKNOWN.id())
                    .setConfigType(DescribeConfigsResponse.ConfigType.STRING.id())));
        }
        return new ArrayList<>(entries.values());
    }

    private void checkBrokerName(String name) {
        if (!name.isEmpty() && !name.equals(String.valueOf(nodeId))) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId
                    + " or empty string, but received " + name);
        }
    }

    private IncrementalAlterConfigsResponseData alter(KafkaRequest request, IncrementalAlterConfigsRequestData data) {
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        Set<ResourceId> repeated = repeated(data.resources().stream()
                .map(r -> new ResourceId(r.resourceType(), r.resourceName())).toList());
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            // Kafka answers a success without a message (null, not the field's default "").
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            tryAlter(() -> {
                checkRequest(new ResourceId(resource.resourceType(), resource.resourceName()), repeated,
                        resource.configs().stream().map(IncrementalAlterConfigsRequestData.AlterableConfig::name)
                                .toList(),
                        resource.configs().stream().filter(c -> c.value() == null
                                        && c.configOperation() != AlterConfigOp.OpType.DELETE.id())
                                .map(IncrementalAlterConfigsRequestData.AlterableConfig::name).toList());
                checkAlterable(request, resource.resourceType(), resource.resourceName());
                alterResource(resource, data.validateOnly());
            }).ifPresent(error -> result.setErrorCode(error.error().code()).setErrorMessage(error.message()));
            response.responses().add(result);
        }
        return response;
    }

    /** A resource of a request, to find one named twice. */
    private record ResourceId(byte type, String name) {}

    private static Set<ResourceId> repeated(List<ResourceId> ids) {
        Set<ResourceId> seen = new HashSet<>();
        Set<ResourceId> repeated = new HashSet<>();
        for (ResourceId id : ids) {
            if (!seen.add(id)) {
                repeated.add(id);
            }
        }
        return repeated;
    }

    /** Kafka's checks of a resource before its changes are looked at, with its messages. */
    private static void checkRequest(ResourceId id, Set<ResourceId> repeated, List<String> names,
                                     List<String> withoutValue) {
        if (repeated.contains(id)) {
            throw new InvalidRequestException("Each resource must appear at most once.");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new InvalidRequestException("Error due to duplicate config keys");
        }
        if (!withoutValue.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", withoutValue));
        }
    }

    /** Throws Kafka's refusal if the principal may not ALTER_CONFIGS the resource. */
    private void checkAlterable(KafkaRequest request, byte resourceType, String name) {
        Optional<Errors> refused = refusal(request, AclOperation.ALTER_CONFIGS, resourceType, name);
        if (refused.isPresent()) {
            throw refused.get().exception(refused.get().message());
        }
    }

    private AlterConfigsResponseData replace(KafkaRequest request, AlterConfigsRequestData data) {
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        Set<ResourceId> repeated = repeated(data.resources().stream()
                .map(r -> new ResourceId(r.resourceType(), r.resourceName())).toList());
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse result =
                    new AlterConfigsResponseData.AlterConfigsResourceResponse().setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code())
                            .setErrorMessage(null);
            tryAlter(() -> {
                checkRequest(new ResourceId(resource.resourceType(), resource.resourceName()), repeated,
                        resource.configs().stream().map(AlterConfigsRequestData.AlterableConfig::name).toList(),
                        resource.configs().stream().filter(c -> c.value() == null)
                                .map(AlterConfigsRequestData.AlterableConfig::name).toList());
                // The older API has no broker loggers: Kafka refuses them as an unknown type, unchecked.
                if (resource.resourceType() != ConfigResource.Type.BROKER_LOGGER.id()) {
                    checkAlterable(request, resource.resourceType(), resource.resourceName());
                }
                alterResource(asIncremental(resource), data.validateOnly());
            }).ifPresent(error -> result.setErrorCode(error.error().code()).setErrorMessage(error.message()));
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
            case GROUP -> metadata.image().groupConfigs(resource.resourceName());
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
        if (type == ConfigResource.Type.GROUP) {
            Map<String, Optional<String>> changes = groups.changes(image, resource.resourceName(), ops(resource));
            if (!validateOnly) {
                admin.alterConfigs(ResourceKind.GROUP, resource.resourceName(), changes);
            }
            return;
        }
        Map<String, String> current;
        ResourceKind kind;
        String resourceName;
        switch (type) {
            case TOPIC -> {
                current = image.topic(resource.resourceName()).orElseThrow(() ->
                        new UnknownTopicOrPartitionException("The topic '" + resource.resourceName()
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
            AlterConfigOp.OpType opType = opType(op);
            Optional<String> value = switch (opType) {
                case SET -> Optional.of(op.value());
                case DELETE -> Optional.empty();
                case APPEND, SUBTRACT -> {
                    if (key.type() != ConfigDef.Type.LIST) {
                        throw new InvalidConfigurationException("Can't " + opType + " to key " + op.name()
                                + " because its type is not LIST.");
                    }
                    String base = current.containsKey(op.name()) ? current.get(op.name())
                            : TopicConfigs.resolve(topicKey, Map.of(), image.brokerConfigs(), config.originals()).value();
                    List<String> items = new ArrayList<>(Arrays.stream(base.split(","))
                            .map(String::trim).filter(s -> !s.isEmpty()).toList());
                    for (String item : op.value().split(",")) {
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

    private static AlterConfigOp.OpType opType(IncrementalAlterConfigsRequestData.AlterableConfig op) {
        AlterConfigOp.OpType type = AlterConfigOp.OpType.forId(op.configOperation());
        if (type == null) {
            throw new InvalidRequestException("Unknown config operation " + op.configOperation());
        }
        return type;
    }

    private static List<GroupConfigResource.Op> ops(IncrementalAlterConfigsRequestData.AlterConfigsResource resource) {
        return resource.configs().stream().map(op -> new GroupConfigResource.Op(op.name(), opType(op), op.value()))
                .toList();
    }

    private static String topicKeyOfBrokerConfig(String brokerName) {
        if (!TopicConfigs.brokerSynonyms().contains(brokerName)) {
            throw new InvalidRequestException("Cannot update these configs dynamically: [" + brokerName + "]");
        }
        return TopicConfigs.keys().values().stream().filter(k -> k.brokerSynonyms().contains(brokerName))
                .findFirst().orElseThrow().name();
    }

    static byte configType(ConfigDef.Type type) {
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
