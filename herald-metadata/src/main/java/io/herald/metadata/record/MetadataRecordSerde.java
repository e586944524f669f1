package io.herald.metadata.record;

import io.herald.common.codec.CorruptRecordException;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.record.MetadataRecord.AccessControlEntryRecord;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.record.MetadataRecord.FeatureLevelRecord;
import io.herald.metadata.record.MetadataRecord.OfflineReplicasRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveAccessControlEntryRecord;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.metadata.record.MetadataRecord.RemoveTopicRecord;
import io.herald.metadata.record.MetadataRecord.RemoveUserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import java.util.List;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Binary encoding of a batch of metadata records, used for controller snapshots and for records carried in
 * controller replies.
 *
 * <pre>
 * batch  := count:int32 record*
 * record := type:int8 fields                       (no version: see below)
 * 1 topic         name:utf topicId:uuid
 * 2 partition     topicId:uuid partition:int32 replicas:ints isr:ints leader:int32 leaderEpoch:int32
 *                 partitionEpoch:int32 addingReplicas:ints removingReplicas:ints
 * 3 remove-topic  topicId:uuid
 * 4 config        kind:int8 (ResourceKind ordinal: 0 topic, 1 broker, 2 group) resource:utf name:utf
 *                 value:optional(utf)
 * 5 broker        brokerId:int32 host:utf port:int32 rack:optional(utf) incarnationId:uuid brokerEpoch:int64
 *                 fenced:bool
 * 6 producer-ids  brokerId:int32 nextProducerId:int64
 * 7 cluster-id    clusterId:utf
 * 8 feature-level name:utf level:int16 epoch:int64
 * 9 offline-replicas brokerId:int32 incarnationId:uuid replicas:list(topicId:uuid partition:int32)
 * 10 user-scram-credential user:utf mechanism:int8 salt:bytes storedKey:bytes serverKey:bytes iterations:int32
 * 11 remove-user-scram-credential user:utf mechanism:int8
 * 12 broker-endpoints brokerId:int32 endpoints:list(listener:utf host:utf port:int32 securityProtocol:int16)
 * 13 access-control-entry id:uuid binding
 * 14 remove-access-control-entry id:uuid
 * 15 client-quota  entity key:utf value:optional(float64)
 * utf := Java's modified UTF-8 with a uint16 length (RecordWriter.modifiedUtf8); ints := count:int32 int32*;
 * uuid := two int64; optional(x) := present:bool [x]; bytes := length:int32 byte*; mechanism := Kafka's SCRAM
 * mechanism type (ScramMechanism.type(): 1 SCRAM-SHA-256, 2 SCRAM-SHA-512); list(x) := count:int32 x*;
 * securityProtocol := Kafka's SecurityProtocol.id (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL), as written;
 * binding := resourceType:int8 name:utf patternType:int8 principal:utf host:utf operation:int8 permission:int8, the
 * enums as Kafka's wire codes (ResourceType.code() etc.); a stored binding's are those of a concrete binding (no
 * ANY, UNKNOWN or MATCH), any other code is corrupt; entity := list(type:utf name:optional(utf)) in type order, an
 * absent name the type's default; float64 := the int64 of {@link Double#doubleToLongBits}
 * </pre>
 *
 * <p>Records follow each other with no length, so an unknown type cannot be skipped and is reported
 * ({@link UnknownTypes#REJECT}). The format has no version of its own: the frames that carry it
 * ({@code ControllerSnapshot}, {@code ControllerReply}) are versioned, and a change of layout here needs a new
 * version of them. New record types are not a new layout: a member that predates one rejects the batch as an
 * unknown type, which a new version would tell it no better (types 8 to 15 came so). The golden fixtures
 * ({@code golden/metadata-record/}) call today's layout version 0.
 *
 * <p>Stateless, thread-safe.
 */
public final class MetadataRecordSerde {
    private static final int TOPIC_ID = 1;
    private static final int PARTITION_ID = 2;
    private static final int REMOVE_TOPIC_ID = 3;
    private static final int CONFIG_ID = 4;
    private static final int BROKER_ID = 5;
    private static final int PRODUCER_IDS_ID = 6;
    private static final int CLUSTER_ID_ID = 7;
    private static final int FEATURE_LEVEL_ID = 8;
    private static final int OFFLINE_REPLICAS_ID = 9;
    private static final int USER_SCRAM_CREDENTIAL_ID = 10;
    private static final int REMOVE_USER_SCRAM_CREDENTIAL_ID = 11;
    private static final int BROKER_ENDPOINTS_ID = 12;
    private static final int ACCESS_CONTROL_ENTRY_ID = 13;
    private static final int REMOVE_ACCESS_CONTROL_ENTRY_ID = 14;
    private static final int CLIENT_QUOTA_ID = 15;

    private static final RecordType TOPIC = new RecordType(TOPIC_ID, "topic");
    private static final RecordType PARTITION = new RecordType(PARTITION_ID, "partition");
    private static final RecordType REMOVE_TOPIC = new RecordType(REMOVE_TOPIC_ID, "remove-topic");
    private static final RecordType CONFIG = new RecordType(CONFIG_ID, "config");
    private static final RecordType BROKER = new RecordType(BROKER_ID, "broker");
    private static final RecordType PRODUCER_IDS = new RecordType(PRODUCER_IDS_ID, "producer-ids");
    private static final RecordType CLUSTER_ID = new RecordType(CLUSTER_ID_ID, "cluster-id");
    private static final RecordType FEATURE_LEVEL = new RecordType(FEATURE_LEVEL_ID, "feature-level");
    private static final RecordType OFFLINE_REPLICAS = new RecordType(OFFLINE_REPLICAS_ID, "offline-replicas");
    private static final RecordType USER_SCRAM_CREDENTIAL = new RecordType(USER_SCRAM_CREDENTIAL_ID,
            "user-scram-credential");
    private static final RecordType REMOVE_USER_SCRAM_CREDENTIAL = new RecordType(REMOVE_USER_SCRAM_CREDENTIAL_ID,
            "remove-user-scram-credential");
    private static final RecordType BROKER_ENDPOINTS = new RecordType(BROKER_ENDPOINTS_ID, "broker-endpoints");
    private static final RecordType ACCESS_CONTROL_ENTRY = new RecordType(ACCESS_CONTROL_ENTRY_ID,
            "access-control-entry");
    private static final RecordType REMOVE_ACCESS_CONTROL_ENTRY = new RecordType(REMOVE_ACCESS_CONTROL_ENTRY_ID,
            "remove-access-control-entry");
    private static final RecordType CLIENT_QUOTA = new RecordType(CLIENT_QUOTA_ID, "client-quota");

    /** The record types of a batch. */
    public static final RecordFormat FORMAT = RecordFormat.of("metadata record batch", TypeIdWidth.INT8,
            UnknownTypes.REJECT, TOPIC, PARTITION, REMOVE_TOPIC, CONFIG, BROKER, PRODUCER_IDS, CLUSTER_ID,
            FEATURE_LEVEL, OFFLINE_REPLICAS, USER_SCRAM_CREDENTIAL, REMOVE_USER_SCRAM_CREDENTIAL, BROKER_ENDPOINTS,
            ACCESS_CONTROL_ENTRY, REMOVE_ACCESS_CONTROL_ENTRY, CLIENT_QUOTA);

    private static final ResourceKind[] KINDS = ResourceKind.values();

    private MetadataRecordSerde() {
    }

    /** The batch as bytes. */
    public static byte[] toBytes(List<MetadataRecord> records) {
        RecordWriter out = new RecordWriter(64 + 32 * records.size());
        writeBatch(records, out);
        return out.toBytes();
    }

    /**
     * The batch {@link #toBytes} wrote.
     *
     * @throws CorruptRecordException if the bytes are not a batch (an unknown type: UnknownRecordTypeException)
     */
    public static List<MetadataRecord> fromBytes(byte[] bytes) {
        return readBatch(RecordReader.of(bytes, FORMAT.name()));
    }

    /** Writes the batch into a larger structure (a snapshot). */
    public static void writeBatch(List<MetadataRecord> records, RecordWriter out) {
        out.list(records, MetadataRecordSerde::writeRecord);
    }

    /** Reads a batch {@link #writeBatch} wrote; the reader is left after it. */
    public static List<MetadataRecord> readBatch(RecordReader in) {
        return in.list(MetadataRecordSerde::readRecord);
    }

    private static void writeRecord(RecordWriter out, MetadataRecord record) {
        switch (record) {
            case TopicRecord t -> {
                FORMAT.writeType(out, TOPIC);
                out.modifiedUtf8(t.name());
                writeUuid(out, t.topicId());
            }
            case PartitionRecord p -> {
                FORMAT.writeType(out, PARTITION);
                writeUuid(out, p.topicId());
                out.int32(p.partition())
                        .list(p.replicas(), RecordWriter::int32)
                        .list(p.isr(), RecordWriter::int32)
                        .int32(p.leader())
                        .int32(p.leaderEpoch())
                        .int32(p.partitionEpoch())
                        .list(p.addingReplicas(), RecordWriter::int32)
                        .list(p.removingReplicas(), RecordWriter::int32);
            }
            case RemoveTopicRecord r -> {
                FORMAT.writeType(out, REMOVE_TOPIC);
                writeUuid(out, r.topicId());
            }
            case ConfigRecord c -> {
                FORMAT.writeType(out, CONFIG);
                writeResourceKind(out, c.kind());
                out.modifiedUtf8(c.resourceName()).modifiedUtf8(c.name())
                        .optional(c.value(), RecordWriter::modifiedUtf8);
            }
            case ProducerIdsRecord ids -> {
                FORMAT.writeType(out, PRODUCER_IDS);
                out.int32(ids.brokerId()).int64(ids.nextProducerId());
            }
            case BrokerRecord b -> {
                FORMAT.writeType(out, BROKER);
                out.int32(b.brokerId()).modifiedUtf8(b.host()).int32(b.port())
                        .optional(b.rack(), RecordWriter::modifiedUtf8);
                writeUuid(out, b.incarnationId());
                out.int64(b.brokerEpoch()).bool(b.fenced());
            }
            case ClusterIdRecord c -> {
                FORMAT.writeType(out, CLUSTER_ID);
                out.modifiedUtf8(c.clusterId());
            }
            case FeatureLevelRecord f -> {
                FORMAT.writeType(out, FEATURE_LEVEL);
                out.modifiedUtf8(f.name()).int16(f.level()).int64(f.epoch());
            }
            case OfflineReplicasRecord o -> {
                FORMAT.writeType(out, OFFLINE_REPLICAS);
                out.int32(o.brokerId());
                writeUuid(out, o.incarnationId());
                out.list(o.replicas(), (w, r) -> {
                    writeUuid(w, r.topicId());
                    w.int32(r.partition());
                });
            }
            case UserScramCredentialRecord u -> {
                ScramCredentialImage c = u.credential();
                FORMAT.writeType(out, USER_SCRAM_CREDENTIAL);
                out.modifiedUtf8(c.user()).int8(c.mechanism().type()).bytes(c.salt()).bytes(c.storedKey())
                        .bytes(c.serverKey()).int32(c.iterations());
            }
            case RemoveUserScramCredentialRecord r -> {
                FORMAT.writeType(out, REMOVE_USER_SCRAM_CREDENTIAL);
                out.modifiedUtf8(r.user()).int8(r.mechanism().type());
            }
            case BrokerEndpointsRecord e -> {
                FORMAT.writeType(out, BROKER_ENDPOINTS);
                out.int32(e.brokerId()).list(e.endpoints(), (w, endpoint) -> w.modifiedUtf8(endpoint.listenerName())
                        .modifiedUtf8(endpoint.host()).int32(endpoint.port()).int16(endpoint.securityProtocol()));
            }
            case AccessControlEntryRecord a -> {
                FORMAT.writeType(out, ACCESS_CONTROL_ENTRY);
                writeUuid(out, a.id());
                writeAclBinding(out, a.binding());
            }
            case RemoveAccessControlEntryRecord r -> {
                FORMAT.writeType(out, REMOVE_ACCESS_CONTROL_ENTRY);
                writeUuid(out, r.id());
            }
            case ClientQuotaRecord q -> {
                FORMAT.writeType(out, CLIENT_QUOTA);
                writeQuotaEntity(out, q.entity());
                out.modifiedUtf8(q.key());
                writeOptionalDouble(out, q.value());
            }
        }
    }

    private static MetadataRecord readRecord(RecordReader in) {
        RecordType type = FORMAT.readType(in).orElseThrow(); // REJECT: never empty
        return switch (type.id()) {
            case TOPIC_ID -> new TopicRecord(in.modifiedUtf8(), readUuid(in));
            case PARTITION_ID -> new PartitionRecord(readUuid(in), in.int32(), in.list(RecordReader::int32),
                    in.list(RecordReader::int32), in.int32(), in.int32(), in.int32(), in.list(RecordReader::int32),
                    in.list(RecordReader::int32));
            case REMOVE_TOPIC_ID -> new RemoveTopicRecord(readUuid(in));
            case CONFIG_ID -> new ConfigRecord(readResourceKind(in), in.modifiedUtf8(), in.modifiedUtf8(),
                    in.optional(RecordReader::modifiedUtf8));
            case PRODUCER_IDS_ID -> new ProducerIdsRecord(in.int32(), in.int64());
            case BROKER_ID -> new BrokerRecord(in.int32(), in.modifiedUtf8(), in.int32(),
                    in.optional(RecordReader::modifiedUtf8), readUuid(in), in.int64(), in.bool());
            case CLUSTER_ID_ID -> new ClusterIdRecord(in.modifiedUtf8());
            case FEATURE_LEVEL_ID -> readFeatureLevel(in);
            case OFFLINE_REPLICAS_ID -> new OfflineReplicasRecord(in.int32(), readUuid(in),
                    in.list(r -> new ReplicaKey(readUuid(r), r.int32())));
            case USER_SCRAM_CREDENTIAL_ID -> new UserScramCredentialRecord(new ScramCredentialImage(
                    in.modifiedUtf8(), readScramMechanism(in), in.bytes(), in.bytes(), in.bytes(), in.int32()));
            case REMOVE_USER_SCRAM_CREDENTIAL_ID -> new RemoveUserScramCredentialRecord(in.modifiedUtf8(),
                    readScramMechanism(in));
            case BROKER_ENDPOINTS_ID -> new BrokerEndpointsRecord(in.int32(), in.list(r -> new Endpoint(
                    r.modifiedUtf8(), r.modifiedUtf8(), r.int32(), r.int16())));
            case ACCESS_CONTROL_ENTRY_ID -> new AccessControlEntryRecord(readUuid(in), readStoredAclBinding(in));
            case REMOVE_ACCESS_CONTROL_ENTRY_ID -> new RemoveAccessControlEntryRecord(readUuid(in));
            case CLIENT_QUOTA_ID -> new ClientQuotaRecord(readQuotaEntity(in), in.modifiedUtf8(),
                    readOptionalDouble(in));
            default -> throw new IllegalStateException("type " + type + " is registered but not decoded");
        };
    }

    private static FeatureLevelRecord readFeatureLevel(RecordReader in) {
        String name = in.modifiedUtf8();
        int at = in.position();
        short level = in.int16();
        if (level < 0) {
            throw in.corrupt(at, "feature " + name + " level " + level + " (expected: 0 or more)");
        }
        return new FeatureLevelRecord(name, level, in.int64());
    }

    /** A known SCRAM mechanism by its Kafka type; any other byte, UNKNOWN's 0 included, is corrupt. */
    private static ScramMechanism readScramMechanism(RecordReader in) {
        int at = in.position();
        byte type = in.int8();
        ScramMechanism mechanism = ScramMechanism.fromType(type);
        if (mechanism == ScramMechanism.UNKNOWN) {
            throw in.corrupt(at, "SCRAM mechanism " + type + " (expected: 1 or 2)");
        }
        return mechanism;
    }

    /** An ACL binding as {@code binding} (see the class comment), its enums as Kafka's codes. */
    public static void writeAclBinding(RecordWriter out, AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        out.int8(pattern.resourceType().code()).modifiedUtf8(pattern.name()).int8(pattern.patternType().code())
                .modifiedUtf8(entry.principal()).modifiedUtf8(entry.host()).int8(entry.operation().code())
                .int8(entry.permissionType().code());
    }

    /**
     * A binding {@link #writeAclBinding} wrote, as a client may have sent it: a code Kafka does not know reads as
     * UNKNOWN (as Kafka reads a request's), for the controller to refuse. Codes no {@link AclBinding} can hold
     * (ANY, MATCH) are corrupt.
     */
    public static AclBinding readAclBinding(RecordReader in) {
        int at = in.position();
        ResourceType type = ResourceType.fromCode(in.int8());
        String name = in.modifiedUtf8();
        PatternType patternType = PatternType.fromCode(in.int8());
        String principal = in.modifiedUtf8();
        String host = in.modifiedUtf8();
        AclOperation operation = AclOperation.fromCode(in.int8());
        AclPermissionType permission = AclPermissionType.fromCode(in.int8());
        try {
            return new AclBinding(new ResourcePattern(type, name, patternType),
                    new AccessControlEntry(principal, host, operation, permission));
        } catch (IllegalArgumentException e) {
            throw in.corrupt(at, "ACL binding: " + e.getMessage());
        }
    }

    /** A binding of an {@link AccessControlEntryRecord}: only the codes of a concrete binding are valid. */
    private static AclBinding readStoredAclBinding(RecordReader in) {
        int at = in.position();
        AclBinding binding = readAclBinding(in);
        if (binding.isUnknown()) {
            throw in.corrupt(at, "ACL binding " + binding + " (expected: known resource type, pattern type, "
                    + "operation and permission)");
        }
        return binding;
    }

    /** A client quota entity as {@code entity} (see the class comment). */
    public static void writeQuotaEntity(RecordWriter out, QuotaEntity entity) {
        out.list(entity.parts().entrySet(), (w, part) -> w.modifiedUtf8(part.getKey())
                .optional(part.getValue(), RecordWriter::modifiedUtf8));
    }

    /** An entity {@link #writeQuotaEntity} wrote; a type named twice is corrupt. */
    public static QuotaEntity readQuotaEntity(RecordReader in) {
        int at = in.position();
        TreeMap<String, java.util.Optional<String>> parts = new TreeMap<>();
        for (var part : in.list(r -> java.util.Map.entry(r.modifiedUtf8(), r.optional(RecordReader::modifiedUtf8)))) {
            if (parts.put(part.getKey(), part.getValue()) != null) {
                throw in.corrupt(at, "client quota entity names type " + part.getKey() + " twice");
            }
        }
        return new QuotaEntity(parts);
    }

    /** A value or none as {@code optional(float64)}. */
    public static void writeOptionalDouble(RecordWriter out, OptionalDouble value) {
        out.bool(value.isPresent());
        if (value.isPresent()) {
            out.int64(Double.doubleToLongBits(value.getAsDouble()));
        }
    }

    public static OptionalDouble readOptionalDouble(RecordReader in) {
        return in.bool() ? OptionalDouble.of(Double.longBitsToDouble(in.int64())) : OptionalDouble.empty();
    }

    /** A Kafka {@link Uuid} as two {@code int64}. */
    public static void writeUuid(RecordWriter out, Uuid id) {
        out.uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    public static Uuid readUuid(RecordReader in) {
        return in.uuid(Uuid::new);
    }

    /** A {@link ResourceKind} as its ordinal in an {@code int8}; the enum's order is part of the format. */
    public static void writeResourceKind(RecordWriter out, ResourceKind kind) {
        out.int8((byte) kind.ordinal());
    }

    public static ResourceKind readResourceKind(RecordReader in) {
        int at = in.position();
        byte ordinal = in.int8();
        if (ordinal < 0 || ordinal >= KINDS.length) {
            throw in.corrupt(at, "resource kind " + ordinal + " (expected: 0 to " + (KINDS.length - 1) + ")");
        }
        return KINDS[ordinal];
    }
}
