package io.herald.metadata.image;

import io.herald.metadata.authz.AclAuthorizer.AclIndex;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.FeatureLevelRecord;
import io.herald.metadata.record.MetadataRecord.OfflineReplicasRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.RemoveTopicRecord;
import io.herald.metadata.record.MetadataRecord.RemoveUserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.Uuid;

/**
 * An immutable snapshot of the cluster model. Readers (request handlers on any thread) hold on to one image
 * for the whole request, so a request never sees half of a change. {@link #apply} returns a new image.
 *
 * @param clusterId the cluster's id, empty until the metadata log decided it
 * @param offset the number of metadata records folded into this image (kept across snapshots)
 * @param nextProducerId the first producer id no broker has reserved yet
 * @param groupConfigs the dynamic configs of groups (Kafka's GROUP config resource), by group id; only groups with
 *     at least one config are present. A group need not exist to have configs (Kafka allows it), and deleting a
 *     group keeps them, as in Kafka. The map is replaced only by a group config record, so readers may cache what
 *     they derive from it by its identity.
 * @param features the finalized feature levels and their epoch; {@link FeatureLevels#LEGACY} until the log holds a
 *     feature record (a new cluster writes its bootstrap levels with its cluster id)
 * @param scramCredentials the users' SCRAM credentials (Kafka's AlterUserScramCredentials), which SCRAM
 *     authentication checks clients against; {@link ScramCredentials#EMPTY} until the log holds one
 * @param acls the ACL bindings by id (Kafka's CreateAcls/DeleteAcls), which the authorizer checks every request
 *     against through {@link #aclIndex()}; {@link Acls#EMPTY} until the log holds one. A record of another kind keeps
 *     the same instance, so its index is built once per change of the ACLs, not per image or request
 * @param clientQuotas the client quotas by entity (Kafka's AlterClientQuotas), which brokers enforce on every request;
 *     {@link ClientQuotas#EMPTY} until the log holds one. A record of another kind keeps the same instance
 */
public record ClusterImage(String clusterId, long offset, Map<Integer, BrokerImage> brokers,
                           Map<String, TopicImage> topics, Map<Uuid, String> topicNamesById,
                           Map<String, String> brokerConfigs, long nextProducerId,
                           Map<String, Map<String, String>> groupConfigs, FeatureLevels features,
                           ScramCredentials scramCredentials, Acls acls, ClientQuotas clientQuotas) {

    public ClusterImage {
        brokers = Map.copyOf(brokers);
        topics = Map.copyOf(topics);
        topicNamesById = Map.copyOf(topicNamesById);
        brokerConfigs = Map.copyOf(brokerConfigs);
        groupConfigs = copyOfNested(groupConfigs);
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(scramCredentials, "scramCredentials");
        Objects.requireNonNull(acls, "acls");
        Objects.requireNonNull(clientQuotas, "clientQuotas");
    }

    /** An image with the legacy feature levels (tests build images by hand). */
    public ClusterImage(String clusterId, long offset, Map<Integer, BrokerImage> brokers,
                        Map<String, TopicImage> topics, Map<Uuid, String> topicNamesById,
                        Map<String, String> brokerConfigs, long nextProducerId,
                        Map<String, Map<String, String>> groupConfigs) {
        this(clusterId, offset, brokers, topics, topicNamesById, brokerConfigs, nextProducerId, groupConfigs,
                FeatureLevels.LEGACY, ScramCredentials.EMPTY, Acls.EMPTY, ClientQuotas.EMPTY);
    }

    /** An image without group configs (tests build images by hand). */
    public ClusterImage(String clusterId, long offset, Map<Integer, BrokerImage> brokers,
                        Map<String, TopicImage> topics, Map<Uuid, String> topicNamesById,
                        Map<String, String> brokerConfigs, long nextProducerId) {
        this(clusterId, offset, brokers, topics, topicNamesById, brokerConfigs, nextProducerId, Map.of());
    }

    /** The image before any record: no cluster id yet. */
    public static final ClusterImage EMPTY = empty("");

    public static ClusterImage empty(String clusterId) {
        return new ClusterImage(clusterId, 0, Map.of(), Map.of(), Map.of(), Map.of(), 0L, Map.of(),
                FeatureLevels.LEGACY, ScramCredentials.EMPTY, Acls.EMPTY, ClientQuotas.EMPTY);
    }

    /** This image with another record count (a snapshot restores the count of the image it was taken of). */
    public ClusterImage withOffset(long newOffset) {
        return new ClusterImage(clusterId, newOffset, brokers, topics, topicNamesById, brokerConfigs, nextProducerId,
                groupConfigs, features, scramCredentials, acls, clientQuotas);
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Optional<TopicImage> topic(Uuid topicId) {
        return Optional.ofNullable(topicNamesById.get(topicId)).map(topics::get);
    }

    /**
     * The SCRAM credential of {@code user} for {@code mechanism}, as a SCRAM server looks it up to authenticate a
     * client; empty if the user has none for that mechanism.
     */
    public Optional<ScramCredentialImage> scramCredential(String user, ScramMechanism mechanism) {
        return scramCredentials.credential(user, mechanism);
    }

    /**
     * The ACL bindings indexed for authorization, as every request's authorization reads them: built once per
     * change of the ACLs (on first use), shared by every image until the next one.
     */
    public AclIndex aclIndex() {
        return acls.index();
    }

    /** The dynamic configs of one group; empty if it has none. */
    public Map<String, String> groupConfigs(String groupId) {
        return groupConfigs.getOrDefault(groupId, Map.of());
    }

    /** Folds one record into the model. Pure: this image is not changed. */
    public ClusterImage apply(MetadataRecord record) {
        Map<Integer, BrokerImage> newBrokers = brokers;
        Map<String, TopicImage> newTopics = topics;
        Map<Uuid, String> newNames = topicNamesById;
        Map<String, String> newBrokerConfigs = brokerConfigs;
        Map<String, Map<String, String>> newGroupConfigs = groupConfigs;
        long newNextProducerId = nextProducerId;
        String newClusterId = clusterId;
        FeatureLevels newFeatures = features;
        ScramCredentials newScram = scramCredentials;
        Acls newAcls = acls;
        ClientQuotas newQuotas = clientQuotas;
        switch (record) {
            case ClusterIdRecord c -> newClusterId = c.clusterId();
            case FeatureLevelRecord f -> newFeatures = features.with(f.name(), f.level(), f.epoch());
            case TopicRecord t -> {
                newTopics = with(topics, t.name(), new TopicImage(t.name(), t.topicId(), new TreeMap<>(), Map.of()));
                newNames = with(topicNamesById, t.topicId(), t.name());
            }
            case PartitionRecord p -> {
                TopicImage topic = topic(p.topicId()).orElseThrow(() ->
                        new IllegalStateException("partition record for unknown topic id " + p.topicId()));
                TreeMap<Integer, PartitionImage> partitions = new TreeMap<>(topic.partitions());
                partitions.put(p.partition(), new PartitionImage(p.partition(), p.replicas(), p.isr(), p.leader(),
                        p.leaderEpoch(), p.partitionEpoch(), p.addingReplicas(), p.removingReplicas()));
                newTopics = with(topics, topic.name(),
                        new TopicImage(topic.name(), topic.topicId(), partitions, topic.configs()));
            }
            case RemoveTopicRecord r -> {
                String name = topicNamesById.get(r.topicId());
                if (name != null) {
                    newTopics = without(topics, name);
                    newNames = without(topicNamesById, r.topicId());
                }
            }
            case ConfigRecord c -> {
                switch (c.kind()) {
                    case TOPIC -> {
                        TopicImage topic = topics.get(c.resourceName());
                        if (topic != null) {
                            Map<String, String> configs = withOptional(topic.configs(), c.name(), c.value());
                            newTopics = with(topics, topic.name(),
                                    new TopicImage(topic.name(), topic.topicId(), topic.partitions(), configs));
                        }
                    }
                    case BROKER -> newBrokerConfigs = withOptional(brokerConfigs, c.name(), c.value());
                    case GROUP -> {
                        Map<String, String> configs = withOptional(groupConfigs(c.resourceName()), c.name(),
                                c.value());
                        newGroupConfigs = configs.isEmpty() ? without(groupConfigs, c.resourceName())
                                : with(groupConfigs, c.resourceName(), Map.copyOf(configs));
                    }
                }
            }
            case ProducerIdsRecord ids -> newNextProducerId = Math.max(nextProducerId, ids.nextProducerId());
            case BrokerRecord b -> {
                // Offline replicas are a fact about one process: a restart (new incarnation) forgets them. Endpoints
                // are kept: a broker re-sends its own after each registration, and until then clients are better
                // sent to its previous endpoints (the same ones, unless its config changed) than to its
                // inter-broker address, which may not serve their listener at all.
                BrokerImage before = brokers.get(b.brokerId());
                java.util.Set<ReplicaKey> offline = before != null && before.incarnationId().equals(b.incarnationId())
                        ? before.offlineReplicas() : java.util.Set.of();
                List<Endpoint> endpoints = before != null ? before.endpoints() : List.of();
                newBrokers = with(brokers, b.brokerId(), new BrokerImage(b.brokerId(), b.host(), b.port(), b.rack(),
                        b.incarnationId(), b.brokerEpoch(), b.fenced(), offline, endpoints));
            }
            case BrokerEndpointsRecord e -> {
                BrokerImage b = brokers.get(e.brokerId());
                if (b != null) {
                    newBrokers = with(brokers, b.brokerId(), b.withEndpoints(e.endpoints()));
                }
            }
            case UserScramCredentialRecord u -> newScram = scramCredentials.with(u.credential());
            // Removing a credential that is not there changes nothing (the controller never writes one).
            case RemoveUserScramCredentialRecord r -> newScram = scramCredentials.without(r.user(), r.mechanism());
            case AccessControlEntryRecord a -> newAcls = acls.with(a.id(), a.binding());
            // Kafka's replay fails on an unknown id; the controller never writes one, and an image fold that cannot
            // fail keeps every member applying the same log.
            case RemoveAccessControlEntryRecord r -> newAcls = acls.without(r.id());
            case ClientQuotaRecord q -> newQuotas = clientQuotas.with(q.entity(), q.key(), q.value());
            case OfflineReplicasRecord o -> {
                BrokerImage b = brokers.get(o.brokerId());
                if (b != null && b.incarnationId().equals(o.incarnationId())) {
                    newBrokers = with(brokers, b.brokerId(),
                            b.withOfflineReplicas(new java.util.HashSet<>(o.replicas())));
                }
            }
        }
        return new ClusterImage(newClusterId, offset + 1, newBrokers, newTopics, newNames, newBrokerConfigs,
                newNextProducerId, newGroupConfigs, newFeatures, newScram, newAcls, newQuotas);
    }

    /**
     * An unmodifiable copy, inner maps included. An outer map that already is one, of unmodifiable inner maps, is
     * returned as it is ({@link Map#copyOf} does not copy those), so an image derived by a record of another kind
     * keeps the same group-config map instance.
     */
    private static Map<String, Map<String, String>> copyOfNested(Map<String, Map<String, String>> map) {
        Map<String, Map<String, String>> outer = Map.copyOf(map);
        if (outer.values().stream().allMatch(inner -> Map.copyOf(inner) == inner)) {
            return outer;
        }
        Map<String, Map<String, String>> copy = new HashMap<>();
        outer.forEach((group, configs) -> copy.put(group, Map.copyOf(configs)));
        return Map.copyOf(copy);
    }

    private static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
        Map<K, V> copy = new HashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static <K, V> Map<K, V> without(Map<K, V> map, K key) {
        Map<K, V> copy = new HashMap<>(map);
        copy.remove(key);
        return copy;
    }

    private static Map<String, String> withOptional(Map<String, String> map, String key, Optional<String> value) {
        return value.map(v -> with(map, key, v)).orElseGet(() -> without(map, key));
    }
}
