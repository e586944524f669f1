package io.herald.broker.handler;

import io.herald.broker.security.Authorization;
import io.herald.storage.config.TopicConfigs;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.TopicAdmin;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.broker.quota.MutationQuota;
import io.herald.broker.quota.MutationQuotas;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import io.herald.protocol.VersionRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * CreateTopics, DeleteTopics and CreatePartitions: validated here, decided and persisted by the controller.
 *
 * <p>ACLs, as Kafka's controller checks them for these requests (its {@code ControllerApis}, to which a Kafka broker
 * forwards them):
 * <ul>
 *   <li>CreateTopics: CREATE on the cluster, else on each topic (TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
 *       a created topic's configs, partition count and replication factor are answered only with DESCRIBE_CONFIGS on
 *       it, else its {@code topic_config_error_code} is TOPIC_AUTHORIZATION_FAILED.</li>
 *   <li>DeleteTopics: DELETE on the cluster allows every topic; else a topic named by name needs DESCRIBE (else
 *       TOPIC_AUTHORIZATION_FAILED before its existence is looked at) and DELETE; one named by id that exists needs
 *       DELETE, and is refused with its name only if the principal may DESCRIBE it.</li>
 *   <li>CreatePartitions: ALTER on each topic, else TOPIC_AUTHORIZATION_FAILED.</li>
 * </ul>
 *
 * <p>Every partition a request creates, adds or deletes counts against its client's {@code controller_mutation_rate}
 * ({@link MutationQuota}), checked after a topic's validation and before its change, not for validate-only requests;
 * strict from CreateTopics v6, DeleteTopics v5 and CreatePartitions v3, whose topics answer THROTTLING_QUOTA_EXCEEDED
 * once the client is over its quota. The response carries the throttle time.
 */
public final class TopicsHandler {

    /** The broker settings these handlers read. */
    public record Settings(int numPartitions, short replicationFactor, boolean deleteTopicEnable,
                           Map<String, String> staticBrokerConfigs) {}

    private final TopicAdmin admin;
    private final MetadataPublisher metadata;
    private final Settings settings;
    private final Executor pool;
    private final Authorization authorization;
    private final MutationQuotas quotas;

    /** Without mutation quotas. */
    public TopicsHandler(TopicAdmin admin, MetadataPublisher metadata, Settings settings, Executor pool,
                         Authorization authorization) {
        this(admin, metadata, settings, pool, authorization, MutationQuotas.NONE);
    }

    /**
     * @param authorization the ACL checks of each request's principal
     * @param quotas        the clients' {@code controller_mutation_rate} quotas
     */
    public TopicsHandler(TopicAdmin admin, MetadataPublisher metadata, Settings settings, Executor pool,
                         Authorization authorization, MutationQuotas quotas) {
        this.quotas = quotas;
        this.authorization = authorization;
        this.admin = admin;
        this.metadata = metadata;
        this.settings = settings;
        this.pool = pool;
    }

    /**
     * CreateTopics v2 (Kafka 4's oldest, KIP-896) to v7: defaulted partitions and replication factor (v4,
     * KIP-464), the resolved configs in the answer (v5, KIP-525) and the new topic's id (v7).
     */
    public ServedApi createTopics() {
        return new ServedApi(ApiKeys.CREATE_TOPICS, VersionRange.of(2, 7),
                request -> Requests.onPool(pool, () -> createTopics(request)));
    }

    /** DeleteTopics v1 (Kafka 4's oldest) to v6: error messages from v5, topics by name or id from v6. */
    public ServedApi deleteTopics() {
        return new ServedApi(ApiKeys.DELETE_TOPICS, VersionRange.of(1, 6),
                request -> Requests.onPool(pool, () -> deleteTopics(request)));
    }

    /** CreatePartitions v0 to v3 (v2 is only flexible encoding, v3 only a new quota error). */
    public ServedApi createPartitions() {
        return new ServedApi(ApiKeys.CREATE_PARTITIONS, VersionRange.of(0, 3),
                request -> Requests.onPool(pool, () -> createPartitions(request)));
    }

    private CreateTopicsResponseData createTopics(KafkaRequest request) {
        CreateTopicsRequestData data = ((CreateTopicsRequest) request.body()).data();
        Predicate<String> mayCreate = authorization.cluster(request, AclOperation.CREATE) ? name -> true
                : authorization.topicCheck(request, AclOperation.CREATE);
        Predicate<String> mayDescribeConfigs = authorization.topicCheck(request, AclOperation.DESCRIBE_CONFIGS);
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        MutationQuota quota = quotas.forRequest(request, request.apiVersion() >= 6);
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreatableTopic topic : data.topics()) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        for (CreatableTopic topic : data.topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
            if (duplicates.contains(topic.name())) {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Create topic request contains duplicate topic name " + topic.name());
            } else if (!mayCreate.test(topic.name())) {
                result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed.");
            } else {
                try {
                    createTopic(topic, data.validateOnly(), result, quota);
                    if (!mayDescribeConfigs.test(topic.name())) {
                        // Kafka's controller: what the topic was created with is a DESCRIBE_CONFIGS matter.
                        result.setNumPartitions(-1).setReplicationFactor((short) -1).setConfigs(new ArrayList<>())
                                .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    }
                } catch (RuntimeException e) {
                    result.setErrorCode(Requests.error(e).code()).setErrorMessage(Requests.message(e))
                            .setNumPartitions(-1).setReplicationFactor((short) -1)
                            .setTopicConfigErrorCode(Requests.error(e).code());
                }
            }
            response.topics().add(result);
        }
        return response.setThrottleTimeMs(quota.throttleTimeMs());
    }

    /** Takes {@code partitions} from the request's quota, or refuses the topic with THROTTLING_QUOTA_EXCEEDED. */
    private static void take(MutationQuota quota, int partitions) {
        if (!quota.tryTake(partitions)) {
            throw new ThrottlingQuotaExceededException(quota.throttleTimeMs(),
                    Errors.THROTTLING_QUOTA_EXCEEDED.message());
        }
    }

    private void createTopic(CreatableTopic topic, boolean validateOnly, CreatableTopicResult result,
                             MutationQuota quota) {
        Topic.validate(topic.name());
        int partitions = topic.numPartitions() == -1 ? settings.numPartitions() : topic.numPartitions();
        int replicationFactor = topic.replicationFactor() == -1 ? settings.replicationFactor()
                : topic.replicationFactor();
        if (!topic.assignments().isEmpty()) {
            if (topic.numPartitions() != -1 || topic.replicationFactor() != -1) {
                throw new InvalidRequestException("Both numPartitions or replicationFactor and replicasAssignments "
                        + "were set. Both cannot be used at the same time.");
            }
            partitions = topic.assignments().size();
            replicationFactor = topic.assignments().iterator().next().brokerIds().size();
            Set<Integer> brokers = metadata.image().brokers().keySet();
            for (var assignment : topic.assignments()) {
                if (assignment.brokerIds().size() != replicationFactor
                        || !brokers.containsAll(assignment.brokerIds())
                        || new HashSet<>(assignment.brokerIds()).size() != assignment.brokerIds().size()) {
                    throw new InvalidReplicaAssignmentException("Invalid replica assignment for partition "
                            + assignment.partitionIndex() + ": " + assignment.brokerIds());
                }
            }
        }
        Map<String, String> configs = new HashMap<>();
        for (var config : topic.configs()) {
            if (config.value() == null) {
                throw new InvalidConfigurationException("Null value not supported for topic config " + config.name());
            }
            try {
                TopicConfigs.validate(config.name(), config.value());
            } catch (ConfigException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
            configs.put(config.name(), config.value());
        }
        try {
            // As a whole too: rules between configs, on the values the topic will run with.
            TopicConfigs.validate(configs, metadata.image().brokerConfigs(), settings.staticBrokerConfigs());
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        TopicImage created;
        if (!validateOnly) {
            take(quota, partitions);
        }
        if (topic.assignments().isEmpty()) {
            created = admin.createTopic(topic.name(), partitions, replicationFactor, configs, validateOnly);
        } else {
            Map<Integer, List<Integer>> assignments = new TreeMap<>();
            for (var assignment : topic.assignments()) {
                assignments.put(assignment.partitionIndex(), List.copyOf(assignment.brokerIds()));
            }
            created = admin.createTopic(topic.name(), assignments, configs, validateOnly);
        }
        result.setErrorCode(Errors.NONE.code())
                .setTopicId(validateOnly ? Uuid.ZERO_UUID : created.topicId())
                .setNumPartitions(partitions)
                .setReplicationFactor((short) replicationFactor);
        ClusterImage image = metadata.image();
        for (String name : TopicConfigs.keys().keySet()) {
            TopicConfigs.Resolved resolved = TopicConfigs.resolve(name, configs, image.brokerConfigs(),
                    settings.staticBrokerConfigs());
            result.configs().add(new CreatableTopicConfigs().setName(name).setValue(resolved.value())
                    .setReadOnly(false).setIsSensitive(false).setConfigSource(configSource(resolved.source())));
        }
    }

    static byte configSource(TopicConfigs.Source source) {
        return (switch (source) {
            case TOPIC -> DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG;
            case DYNAMIC_BROKER_DEFAULT -> DescribeConfigsResponse.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
            case STATIC_BROKER -> DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG;
            case DEFAULT -> DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG;
        }).id();
    }

    private DeleteTopicsResponseData deleteTopics(KafkaRequest request) {
        DeleteTopicsRequestData data = ((DeleteTopicsRequest) request.body()).data();
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        MutationQuota quota = quotas.forRequest(request, request.apiVersion() >= 5);
        DeleteAccess access = authorization.cluster(request, AclOperation.DELETE)
                ? new DeleteAccess(name -> true, name -> true)
                : new DeleteAccess(authorization.topicCheck(request, AclOperation.DESCRIBE),
                        authorization.topicCheck(request, AclOperation.DELETE));
        if (request.apiVersion() < 6) {
            for (String name : data.topicNames()) {
                response.responses().add(deleteTopic(Optional.of(name), Uuid.ZERO_UUID, access, quota));
            }
        } else {
            for (DeleteTopicsRequestData.DeleteTopicState state : data.topics()) {
                response.responses().add(deleteTopic(Optional.ofNullable(state.name()), state.topicId(), access,
                        quota));
            }
        }
        return response.setThrottleTimeMs(quota.throttleTimeMs());
    }

    /** Which topics one DeleteTopics request's principal may describe and delete. */
    private record DeleteAccess(Predicate<String> mayDescribe, Predicate<String> mayDelete) {}

    private DeletableTopicResult deleteTopic(Optional<String> name, Uuid topicId, DeleteAccess access,
                                             MutationQuota quota) {
        DeletableTopicResult result = new DeletableTopicResult().setName(name.orElse(null)).setTopicId(topicId);
        if (!settings.deleteTopicEnable()) {
            return result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code());
        }
        if (name.isPresent() && !access.mayDescribe().test(name.get())) {
            return refused(result);
        }
        ClusterImage image = metadata.image();
        Optional<TopicImage> topic = name.isPresent() ? image.topic(name.get()) : image.topic(topicId);
        if (topic.isEmpty()) {
            return result.setErrorCode((name.isPresent() ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                    : Errors.UNKNOWN_TOPIC_ID).code());
        }
        if (!access.mayDelete().test(topic.get().name())) {
            // By id, the name is told only to a principal that may describe the topic (Kafka's rule).
            return refused(name.isPresent() || !access.mayDescribe().test(topic.get().name()) ? result
                    : result.setName(topic.get().name()));
        }
        try {
            take(quota, topic.get().partitions().size());
            admin.deleteTopic(topic.get().topicId());
            return result.setName(topic.get().name()).setTopicId(topic.get().topicId())
                    .setErrorCode(Errors.NONE.code());
        } catch (RuntimeException e) {
            return result.setErrorCode(Requests.error(e).code()).setErrorMessage(Requests.message(e));
        }
    }

    private static DeletableTopicResult refused(DeletableTopicResult result) {
        return result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message());
    }

    private CreatePartitionsResponseData createPartitions(KafkaRequest request) {
        CreatePartitionsRequestData data = ((CreatePartitionsRequest) request.body()).data();
        Predicate<String> mayAlter = authorization.topicCheck(request, AclOperation.ALTER);
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        MutationQuota quota = quotas.forRequest(request, request.apiVersion() >= 3);
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
            if (!mayAlter.test(topic.name())) {
                response.results().add(result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                continue;
            }
            try {
                if (topic.assignments() != null) {
                    Set<Integer> brokers = metadata.image().brokers().keySet();
                    for (var assignment : topic.assignments()) {
                        if (!brokers.containsAll(assignment.brokerIds())) {
                            throw new InvalidReplicaAssignmentException("Unknown broker in assignment "
                                    + assignment.brokerIds());
                        }
                    }
                }
                if (!data.validateOnly()) {
                    int current = metadata.image().topic(topic.name()).map(t -> t.partitions().size())
                            .orElse(topic.count());
                    take(quota, Math.max(0, topic.count() - current));
                }
                if (topic.assignments() == null) {
                    admin.createPartitions(topic.name(), topic.count(), List.of(), data.validateOnly());
                } else {
                    admin.createPartitions(topic.name(), topic.count(), topic.assignments().stream()
                            .map(a -> List.copyOf(a.brokerIds())).toList(), data.validateOnly());
                }
                result.setErrorCode(Errors.NONE.code());
            } catch (RuntimeException e) {
                result.setErrorCode(Requests.error(e).code()).setErrorMessage(Requests.message(e));
            }
            response.results().add(result);
        }
        return response.setThrottleTimeMs(quota.throttleTimeMs());
    }
}
