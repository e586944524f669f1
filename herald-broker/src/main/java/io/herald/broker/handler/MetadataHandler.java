package io.herald.broker.handler;

import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.api.TopicAdmin;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ApiHandler;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import io.herald.protocol.VersionRange;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.Uuid;
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
 */
public final class MetadataHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

    /** The broker settings this handler reads. */
    public record Settings(int nodeId, boolean autoCreateTopics, int numPartitions, short replicationFactor) {}

    private final MetadataPublisher metadata;
    private final TopicAdmin topics;
    private final Settings settings;
    private final Executor pool;

    public MetadataHandler(MetadataPublisher metadata, TopicAdmin topics, Settings settings, Executor pool) {
        this.metadata = metadata;
        this.topics = topics;
        this.settings = settings;
        this.pool = pool;
    }

    /**
     * Metadata v0 to v13: v0's empty list for every topic, the client's auto-creation flag from v4, leader
     * epochs from v7, topic ids from v10 (also to look topics up by id). Authorized operations (v8+) are not
     * computed, as there is no authorizer yet: they are reported as not provided. v13's top-level error has
     * no cause here.
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
        if (allTopics || answerableFromImage(data)) {
            // Only reads the current image: answered on the event loop, no hop to the request pool.
            return Requests.now(metadata(data, allTopics, version, listener));
        }
        return Requests.onPool(pool, () -> metadata(data, false, version, listener));
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
                                          String listener) {
        ClusterImage image = metadata.image();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(image.clusterId())
                .setControllerId(settings.nodeId());
        if (allTopics) {
            ClusterImage all = image;
            image.topics().values().stream().sorted(java.util.Comparator.comparing(TopicImage::name))
                    .forEach(t -> response.topics().add(describe(t, all, listener)));
        } else {
            boolean allowAutoCreate = version < 4 || data.allowAutoTopicCreation();
            for (MetadataRequestData.MetadataRequestTopic requested : data.topics()) {
                response.topics().add(describeRequested(requested, allowAutoCreate, listener));
            }
            image = metadata.image();
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

    private MetadataResponseTopic describeRequested(MetadataRequestData.MetadataRequestTopic requested,
                                                    boolean allowAutoCreate, String listener) {
        ClusterImage image = metadata.image();
        if (requested.name() == null) {
            Uuid id = requested.topicId();
            return image.topic(id).map(t -> describe(t, image, listener)).orElseGet(() ->
                    new MetadataResponseTopic().setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        String name = requested.name();
        Optional<TopicImage> topic = image.topic(name);
        if (topic.isPresent()) {
            return describe(topic.get(), image, listener);
        }
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
