package io.herald.metadata.controller;

import io.herald.common.codec.RecordWriter;
import io.herald.metadata.feature.FeatureCatalog;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.FeatureLevels;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.FeatureLevelRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import io.herald.metadata.record.MetadataRecord;
import io.herald.metadata.record.MetadataRecordSerde;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The whole controller state as bytes: the image written as the records that rebuild it (cluster id,
 * brokers with their incarnations, epochs and fencing, cluster configs, topics with partitions and configs,
 * the producer id mark, the feature levels, the SCRAM credentials, the ACL bindings), in a fixed order so equal
 * states give equal bytes. Feature levels are written only once the log has set them, as one record per catalog
 * feature (those at 0 too, since restoring starts from the legacy levels), so snapshots of older logs keep their
 * bytes. A broker's client listener endpoints follow its broker record (and its offline replicas) only when it
 * registered some, so snapshots of brokers without endpoints keep their bytes as well. SCRAM credentials follow, by
 * user name and then mechanism; a cluster without any writes none, so its snapshots keep their bytes too. ACL
 * bindings follow, by id, each under the id it was created with (DeleteAcls removes by id); none for a cluster
 * without ACLs. Client quotas come last, by entity and then key; none for a cluster without quotas.
 *
 * <p>Format: {@code [byte version][int64 image offset][record batch]}, the batch as
 * {@link MetadataRecordSerde} writes it. Golden fixtures: {@code golden/controller-snapshot/} in the tests.
 * The controller keeps no state outside
 * the image (broker incarnations and epochs live in it; liveness timers are leader-only memory that a new
 * leader resets), so this is everything {@link ControllerStateMachine#restore} needs. Stateless.
 */
final class ControllerSnapshot {
    private static final byte VERSION = 1;

    private ControllerSnapshot() {
    }

    static byte[] write(ClusterImage image) {
        List<MetadataRecord> records = records(image);
        RecordWriter out = new RecordWriter(64 + 48 * records.size()).int8(VERSION).int64(image.offset());
        MetadataRecordSerde.writeBatch(records, out);
        return out.toBytes();
    }

    static ClusterImage read(byte[] bytes) {
        return ControllerCommandSerde.read(bytes, "controller snapshot", in -> {
            byte version = in.int8();
            if (version != VERSION) {
                throw new ControllerCommandSerde.UnsupportedVersionException("controller snapshot version " + version);
            }
            long offset = in.int64();
            ClusterImage image = ClusterImage.EMPTY;
            for (MetadataRecord record : MetadataRecordSerde.readBatch(in)) {
                image = image.apply(record);
            }
            return image.withOffset(offset);
        });
    }

    static List<MetadataRecord> records(ClusterImage image) {
        List<MetadataRecord> records = new ArrayList<>();
        if (!image.clusterId().isEmpty()) {
            records.add(new ClusterIdRecord(image.clusterId()));
        }
        image.brokers().values().stream().sorted(Comparator.comparingInt(BrokerImage::brokerId)).forEach(b -> {
            records.add(new BrokerRecord(b.brokerId(), b.host(), b.port(), b.rack(), b.incarnationId(),
                    b.brokerEpoch(), b.fenced()));
            if (!b.offlineReplicas().isEmpty()) {
                records.add(new MetadataRecord.OfflineReplicasRecord(b.brokerId(), b.incarnationId(),
                        b.offlineReplicas().stream().sorted().toList()));
            }
            if (!b.endpoints().isEmpty()) {
                records.add(new BrokerEndpointsRecord(b.brokerId(), b.endpoints()));
            }
        });
        new TreeMap<>(image.brokerConfigs()).forEach((k, v) ->
                records.add(new ConfigRecord(ResourceKind.BROKER, "", k, Optional.of(v))));
        for (TopicImage topic : PartitionControl.sortedTopics(image)) {
            records.add(new TopicRecord(topic.name(), topic.topicId()));
            for (PartitionImage p : topic.partitions().values()) {
                records.add(PartitionChange.toRecord(topic.topicId(), p));
            }
            new TreeMap<>(topic.configs()).forEach((k, v) ->
                    records.add(new ConfigRecord(ResourceKind.TOPIC, topic.name(), k, Optional.of(v))));
        }
        new TreeMap<>(image.groupConfigs()).forEach((group, configs) -> new TreeMap<>(configs).forEach((k, v) ->
                records.add(new ConfigRecord(ResourceKind.GROUP, group, k, Optional.of(v)))));
        if (image.nextProducerId() > 0) {
            records.add(new ProducerIdsRecord(-1, image.nextProducerId()));
        }
        FeatureLevels features = image.features();
        if (!features.equals(FeatureLevels.LEGACY)) {
            for (FeatureCatalog.Feature feature : FeatureCatalog.ALL) {
                records.add(new FeatureLevelRecord(feature.name(), features.level(feature.name()), features.epoch()));
            }
        }
        image.scramCredentials().all().forEach(c -> records.add(new UserScramCredentialRecord(c)));
        image.acls().byId().forEach((id, binding) -> records.add(new AccessControlEntryRecord(id, binding)));
        image.clientQuotas().all().forEach(q -> records.add(new ClientQuotaRecord(q.entity(), q.key(),
                java.util.OptionalDouble.of(q.value()))));
        return records;
    }
}
