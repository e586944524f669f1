package io.herald.broker.handler;

import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.TopicAdmin;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.broker.security.Authorization;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata: brokers, the controller, and topics with their partitions' leaders, epochs, replicas and ISR, from
 * one metadata image. A missing topic is created when {@code auto.create.topics.enable} is on and the client
 * allows it (v4+), with {@code num.partitions} and {@code default.replication.factor}.
 *
 * <p>Brokers are given at their endpoint for the listener the request came in on ({@link BrokerImage#node}), as
 * Kafka does: a client bootstrapped on one listener stays on it. A broker without an endpoint on that listener is
 * left out, and a partition it leads answers LISTENER_NOT_FOUND without a leader, as Kafka's metadata cache does;
 * clients retry it, as the leader may gain the listener (brokers of a cluster changing their listeners one by one).
 *
 * <p>ACLs, as Kafka's KafkaApis checks them: a topic the principal may not DESCRIBE is left out of an all-topics
 * answer, and answers TOPIC_AUTHORIZATION_FAILED when named, without partitions and before its existence is looked
 * at (by id: with its id and no name; by name: with no id). A missing topic that would be auto-created needs CREATE on
 * the cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED. Asked for (v8+), a topic's authorized operations
 * (KIP-430) are given for every topic answered without an ACL refusal, and the cluster's (v8-v10) if the principal may
 * DESCRIBE the cluster (0 if not).
 */
public final class MetadataHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

    /** The broker settings this handler reads. */
    public record Settings(int nodeId, boolean autoCreateTopics, int numPartitions, short replicationFactor) {}

    private final MetadataPublisher metadata;
    private final TopicAdmin topics;
    private final Settings settings;
    private final Executor pool;
    private final Authorization authorization;

    /** @param authorization the ACL checks of each request's principal */
    public MetadataHandler(MetadataPublisher metadata, TopicAdmin topics, Settings settings, Executor pool,
                           Authorization authorization) {
        this.authorization = authorization;
        this.metadata = metadata;
        this.topics = topics;
        this.settings = settings;
        this.pool = pool;
    }

    /**
     * Metadata v0 to v13: v0's empty list for every topic, the client's auto-creation flag from v4, leader
     * epochs from v7, authorized operations from v8 (the cluster's up to v10), topic ids from v10 (also to look
     * topics up by id). v13's top-level error has no cause here.
     */
    public ServedApi api() {
        return new ServedApi(ApiKeys.METADATA, VersionRange.of(0, 13), this);
    }

    @Override
    public CompletableFuture<Response> handle(KafkaRequest request) {
        MetadataRequest body = (MetadataRequest) request.body();
        MetadataRequestData data = body.data();
        short version = request.apiVersion();
        String listener = request.connection().listenerName();
        // v0 cannot send a null topic list: there, an empty list asks for every topic.
        boolean allTopics = body.isAllTopics();
        Access access = new Access(request, authorization);
        if (allTopics || answerableFromImage(data)) {
            // Only reads the current image: answered on the event loop, no hop to the request pool.
            return Requests.now(metadata(data, allTopics, version, listener, access));
        }
        return Requests.onPool(pool, () -> metadata(data, false, version, listener, access));
    }

    /**
     * What one request's principal may do, each topic and the cluster asked of the authorizer at most once.
     * Thread-safe (answered on the request pool when a topic may be created).
     */
    private static final class Access {
        private final KafkaRequest request;
        private final Authorization authorization;
        private final Predicate<String> mayDescribe;
        private final Predicate<String> mayCreateTopic;
        private volatile Boolean mayCreateAny;

        Access(KafkaRequest request, Authorization authorization) {
            this.request = request;
            this.authorization = authorization;
            this.mayDescribe = authorization.topicCheck(request, AclOperation.DESCRIBE);
            this.mayCreateTopic = authorization.topicCheck(request, AclOperation.CREATE);
        }

        boolean mayDescribe(String topic) {
            return mayDescribe.test(topic);
        }

        /** CREATE on the cluster, else on the topic (Kafka checks the cluster first, once per request). */
        boolean mayCreate(String topic) {
            if (!authorization.enabled()) {
                return true;
            }
            if (mayCreateAny == null) {
                mayCreateAny = authorization.cluster(request, AclOperation.CREATE);
            }
            return mayCreateAny || mayCreateTopic.test(topic);
        }

        int topicOperations(String topic) {
            return authorization.authorizedOperations(request, ResourceType.TOPIC, topic);
        }

        /** Kafka's cluster authorized operations: those allowed if the principal may DESCRIBE the cluster, else 0. */
        int clusterOperations() {
            return authorization.cluster(request, AclOperation.DESCRIBE)
                    ? authorization.authorizedOperations(request, ResourceType.CLUSTER, Authorization.CLUSTER_NAME) : 0;
        }
    }

    /** True when no requested topic may need creating (which waits for the controller). */
    private boolean answerableFromImage(MetadataRequestData data) {
        if (!settings.autoCreateTopics()) {
            return true;
        }
        ClusterImage image = metadata.image();
        for (MetadataRequestData.MetadataRequestTopic requested : data.topics()) {
            if (requested.name() != null && image.topic(requested.name()).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private MetadataResponseData metadata(MetadataRequestData data, boolean allTopics, short version,
                                          String listener, Access access) {
        ClusterImage image = metadata.image();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(image.clusterId())
                .setControllerId(settings.nodeId());
        boolean withOperations = version >= 8 && data.includeTopicAuthorizedOperations();
        if (allTopics) {
            ClusterImage all = image;
            // Topics the principal may not describe are left out, not refused: their names are not disclosed.
            image.topics().values().stream().filter(t -> access.mayDescribe(t.name()))
                    .sorted(java.util.Comparator.comparing(TopicImage::name))
                    .forEach(t -> response.topics().add(withOperations(describe(t, all, listener), withOperations,
                            access)));
        } else {
            boolean allowAutoCreate = version < 4 || data.allowAutoTopicCreation();
            for (MetadataRequestData.MetadataRequestTopic requested : data.topics()) {
                response.topics().add(describeRequested(requested, allowAutoCreate, listener, withOperations,
                        access));
            }
            image = metadata.image();
        }
        if (version >= 8 && version <= 10 && data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(access.clusterOperations());
        }
        for (BrokerImage broker : image.brokers().values()) {
            if (broker.fenced()) {
                continue; // as Kafka: clients are only sent to live brokers
            }
            broker.node(listener).ifPresent(node -> response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack())));
        }
        return response;
    }

    private static MetadataResponseTopic withOperations(MetadataResponseTopic topic, boolean withOperations,
                                                        Access access) {
        return withOperations ? topic.setTopicAuthorizedOperations(access.topicOperations(topic.name())) : topic;
    }

    /**
     * One requested topic, in Kafka's order of checks: an unknown id; DESCRIBE; the topic; CREATE, if it would be
     * auto-created; the name's validity.
     */
    private MetadataResponseTopic describeRequested(MetadataRequestData.MetadataRequestTopic requested,
                                                    boolean allowAutoCreate, String listener, boolean withOperations,
                                                    Access access) {
        ClusterImage image = metadata.image();
        if (requested.name() == null) {
            Uuid id = requested.topicId();
            Optional<TopicImage> topic = image.topic(id);
            if (topic.isEmpty()) {
                return new MetadataResponseTopic().setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            }
            if (!access.mayDescribe(topic.get().name())) {
                // Kafka: topic ids are not sensitive, so the id is given back (without the name).
                return new MetadataResponseTopic().setName(null).setTopicId(id)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            }
            return withOperations(describe(topic.get(), image, listener), withOperations, access);
        }
        String name = requested.name();
        if (!access.mayDescribe(name)) {
            return new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        Optional<TopicImage> topic = image.topic(name);
        if (topic.isPresent()) {
            return withOperations(describe(topic.get(), image, listener), withOperations, access);
        }
        if (settings.autoCreateTopics() && allowAutoCreate && !access.mayCreate(name)) {
            return new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                    .setIsInternal(Topic.isInternal(name)).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        return withOperations(missing(name, allowAutoCreate, listener), withOperations, access);
    }

    /** A topic the image does not have: auto-created if allowed, else UNKNOWN_TOPIC_OR_PARTITION. */
    private MetadataResponseTopic missing(String name, boolean allowAutoCreate, String listener) {
        MetadataResponseTopic missing = new MetadataResponseTopic().setName(name);
        try {
            Topic.validate(name);
        } catch (RuntimeException e) {
            return missing.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        if (!settings.autoCreateTopics() || !allowAutoCreate || Topic.isInternal(name)) {
            return missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            TopicImage created = topics.createTopic(name, settings.numPartitions(), settings.replicationFactor(),
                    Map.of(), false);
            log.info("Auto-created topic {} with {} partitions", name, settings.numPartitions());
            return describe(created, metadata.image(), listener);
        } catch (TopicExistsException raced) {
            ClusterImage now = metadata.image();
            return now.topic(name).map(t -> describe(t, now, listener))
                    .orElseGet(() -> missing.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()));
        } catch (RuntimeException e) {
            return missing.setErrorCode(Requests.error(e).code());
        }
    }

    private static MetadataResponseTopic describe(TopicImage topic, ClusterImage image, String listener) {
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setIsInternal(Topic.isInternal(topic.name()))
                .setErrorCode(Errors.NONE.code());
        for (PartitionImage p : topic.partitions().values()) {
            Errors error = p.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE
                    : lacksListener(image, p.leader(), listener) ? Errors.LISTENER_NOT_FOUND : Errors.NONE;
            result.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p.partition())
                    .setErrorCode(error.code())
                    .setLeaderId(error == Errors.LISTENER_NOT_FOUND ? -1 : p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(p.replicas())
                    .setIsrNodes(p.isr()));
        }
        return result;
    }

    /** Whether the broker is registered but cannot be reached on {@code listener} (see {@link BrokerImage#node}). */
    private static boolean lacksListener(ClusterImage image, int brokerId, String listener) {
        BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && broker.node(listener).isEmpty();
    }
}
