package io.herald.metadata.controller;

import static io.herald.metadata.record.MetadataRecordSerde.readResourceKind;
import static io.herald.metadata.record.MetadataRecordSerde.readUuid;
import static io.herald.metadata.record.MetadataRecordSerde.writeResourceKind;
import static io.herald.metadata.record.MetadataRecordSerde.writeUuid;

import io.herald.common.codec.CorruptRecordException;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.api.QuotaAdmin;
import io.herald.metadata.controller.ControllerCommand.AlterClientQuotas;
import io.herald.metadata.controller.ControllerCommand.AlterScramCredentials;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreateAcls;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteAcls;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FeatureChange;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.PartitionRef;
import io.herald.metadata.controller.ControllerCommand.Reassignment;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.RegisterEndpoints;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.controller.ControllerCommand.ReportOfflineReplicas;
import io.herald.metadata.controller.ControllerCommand.ScramDeletion;
import io.herald.metadata.controller.ControllerCommand.ScramUpsertion;
import io.herald.metadata.controller.ControllerCommand.TermFenced;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.controller.ControllerCommand.UpdateFeatures;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.controller.LeaderRequest.Validate;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecordSerde;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Binary encoding of {@link ControllerCommand}s (quorum log entries) and {@link LeaderRequest}s.
 *
 * <pre>
 * entry   := version:int8 command                    (version 1 or 2; 2 is written)
 * command := type:int8 fields
 *  1 init-cluster          clusterId:utf
 *  2 register-broker       brokerId:int32 host:utf port:int32 rack:optional(utf) incarnationId:uuid
 *  3 fence-broker          brokerId:int32 brokerEpoch:int64
 *  4 unfence-broker        brokerId:int32 brokerEpoch:int64
 *  5 controlled-shutdown   brokerId:int32
 *  6 create-topic          name:utf partitions:int32 replicationFactor:int32
 *                          assignments:map(int32, ints) configs:map(utf, utf)
 *  7 delete-topic          topicId:uuid
 *  8 create-partitions     name:utf newCount:int32 assignments:list(ints)
 *  9 alter-configs         kind:int8 resource:utf changes:map(utf, optional(utf))
 * 10 reserve-producer-ids  brokerId:int32 blockSize:int32
 * 11 alter-partition       brokerId:int32 topicId:uuid partition:int32 leaderEpoch:int32 partitionEpoch:int32
 *                          newIsr:ints
 * 12 alter-reassignments   list(topic:utf partition:int32 target:optional(ints))
 * 13 elect-leaders         unclean:bool partitions:optional(list(topic:utf partition:int32))
 * 14 term-fenced           term:int64 command                        (since version 2)
 * 15 update-features       nodeId:int32 changes:map(utf, level:int16 upgradeType:int8)   (version 2)
 * 16 report-offline-replicas brokerId:int32 incarnationId:uuid replicas:list(topicId:uuid partition:int32)
 *                          (version 2)
 * 17 alter-scram-credentials deletions:list(user:utf mechanism:int8)
 *                          upsertions:list(user:utf mechanism:int8 iterations:int32 salt:bytes storedKey:bytes
 *                          serverKey:bytes)                                                  (version 2)
 * 18 register-endpoints    brokerId:int32 incarnationId:uuid
 *                          endpoints:list(listener:utf host:utf port:int32 securityProtocol:int16)   (version 2)
 * 19 create-acls           bindings:list(binding)                                            (version 2)
 * 20 delete-acls           filters:list(resourceType:int8 name:optional(utf) patternType:int8
 *                          principal:optional(utf) host:optional(utf) operation:int8 permission:int8)  (version 2)
 * 21 alter-client-quotas   alterations:list(entity ops:list(key:utf value:optional(float64)))   (version 2)
 * request := version:int8 type:int8 fields
 *  1 heartbeat             brokerId:int32 incarnationId:uuid
 *  2 validate              command
 * </pre>
 * The field encodings are {@link MetadataRecordSerde}'s (utf is Java's modified UTF-8; lists and maps have an
 * int32 count; maps are sorted; bytes have an int32 length). A mechanism is Kafka's SCRAM mechanism type as the
 * client sent it, any byte; a securityProtocol is Kafka's SecurityProtocol.id; a binding is
 * {@link MetadataRecordSerde}'s, and the enums of a binding or filter are Kafka's wire codes as the client sent them
 * (a code Kafka does not know reads as UNKNOWN, which the decision refuses; an absent name, principal or host
 * matches any).
 *
 * <p>Compatibility: unlike the {@code __consumer_offsets} records, a member meeting an entry of a newer version,
 * or a type it does not know, refuses it ({@link UnsupportedVersionException}) rather than read a prefix, so that
 * every member decides the same way. Adding a command type or a trailing field means a new version; readers keep
 * decoding every older one (version 1 differs from 2 only by lacking type 14). Types 15 to 21 came
 * later within version 2, as the GROUP resource kind did: a member that predates it refuses the entry as an
 * unknown type, exactly as it would refuse a version 3, so the version byte would tell it nothing more. Bytes that cannot be decoded at
 * all are refused the same way. Golden fixtures: {@code golden/controller-command/} and
 * {@code golden/leader-request/} in the tests.
 *
 * <p>Stateless, thread-safe.
 */
public final class ControllerCommandSerde {
    public static final byte VERSION = 2;

    private static final int INIT_CLUSTER = 1;
    private static final int REGISTER_BROKER = 2;
    private static final int FENCE_BROKER = 3;
    private static final int UNFENCE_BROKER = 4;
    private static final int CONTROLLED_SHUTDOWN = 5;
    private static final int CREATE_TOPIC = 6;
    private static final int DELETE_TOPIC = 7;
    private static final int CREATE_PARTITIONS = 8;
    private static final int ALTER_CONFIGS = 9;
    private static final int RESERVE_PRODUCER_IDS = 10;
    private static final int ALTER_PARTITION = 11;
    private static final int ALTER_REASSIGNMENTS = 12;
    private static final int ELECT_LEADERS = 13;
    /** Since version 2. */
    private static final int TERM_FENCED = 14;
    private static final int UPDATE_FEATURES = 15;
    private static final int REPORT_OFFLINE_REPLICAS = 16;
    private static final int ALTER_SCRAM_CREDENTIALS = 17;
    private static final int REGISTER_ENDPOINTS = 18;
    private static final int CREATE_ACLS = 19;
    private static final int DELETE_ACLS = 20;
    private static final int ALTER_CLIENT_QUOTAS = 21;

    /** The command types, named as in the table above. */
    static final RecordFormat COMMANDS = RecordFormat.of("controller command", TypeIdWidth.INT8, UnknownTypes.REJECT,
            new RecordType(INIT_CLUSTER, "init-cluster"),
            new RecordType(REGISTER_BROKER, "register-broker"),
            new RecordType(FENCE_BROKER, "fence-broker"),
            new RecordType(UNFENCE_BROKER, "unfence-broker"),
            new RecordType(CONTROLLED_SHUTDOWN, "controlled-shutdown"),
            new RecordType(CREATE_TOPIC, "create-topic"),
            new RecordType(DELETE_TOPIC, "delete-topic"),
            new RecordType(CREATE_PARTITIONS, "create-partitions"),
            new RecordType(ALTER_CONFIGS, "alter-configs"),
            new RecordType(RESERVE_PRODUCER_IDS, "reserve-producer-ids"),
            new RecordType(ALTER_PARTITION, "alter-partition"),
            new RecordType(ALTER_REASSIGNMENTS, "alter-reassignments"),
            new RecordType(ELECT_LEADERS, "elect-leaders"),
            new RecordType(TERM_FENCED, "term-fenced"),
            new RecordType(UPDATE_FEATURES, "update-features"),
            new RecordType(REPORT_OFFLINE_REPLICAS, "report-offline-replicas"),
            new RecordType(ALTER_SCRAM_CREDENTIALS, "alter-scram-credentials"),
            new RecordType(REGISTER_ENDPOINTS, "register-endpoints"),
            new RecordType(CREATE_ACLS, "create-acls"),
            new RecordType(DELETE_ACLS, "delete-acls"),
            new RecordType(ALTER_CLIENT_QUOTAS, "alter-client-quotas"));

    private static final int HEARTBEAT = 1;
    private static final int VALIDATE = 2;

    static final RecordFormat REQUESTS = RecordFormat.of("leader request", TypeIdWidth.INT8, UnknownTypes.REJECT,
            new RecordType(HEARTBEAT, "heartbeat"), new RecordType(VALIDATE, "validate"));

    private ControllerCommandSerde() {
    }

    /** An entry this member cannot decode: written by a newer version, or not a command at all. */
    public static final class UnsupportedVersionException extends RuntimeException {
        UnsupportedVersionException(String message) {
            super(message);
        }

        UnsupportedVersionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static byte[] encode(ControllerCommand command) {
        RecordWriter out = new RecordWriter().int8(VERSION);
        writeCommand(out, command);
        return out.toBytes();
    }

    public static ControllerCommand decode(byte[] entry) {
        return read(entry, COMMANDS.name(), in -> {
            checkVersion(in);
            return readCommand(in);
        });
    }

    public static byte[] encode(LeaderRequest request) {
        RecordWriter out = new RecordWriter().int8(VERSION);
        switch (request) {
            case Heartbeat h -> {
                writeType(out, REQUESTS, HEARTBEAT);
                out.int32(h.brokerId());
                writeUuid(out, h.incarnationId());
            }
            case Validate v -> {
                writeType(out, REQUESTS, VALIDATE);
                writeCommand(out, v.command());
            }
        }
        return out.toBytes();
    }

    public static LeaderRequest decodeLeaderRequest(byte[] request) {
        return read(request, REQUESTS.name(), in -> {
            checkVersion(in);
            return switch (readType(in, REQUESTS)) {
                case HEARTBEAT -> new Heartbeat(in.int32(), readUuid(in));
                case VALIDATE -> new Validate(readCommand(in));
                default -> throw unreachable(REQUESTS);
            };
        });
    }

    /**
     * Decodes a controller entry, request, reply or snapshot: anything it cannot decode, corrupt or of an
     * unknown type, is an {@link UnsupportedVersionException}, which the state machine answers and skips the
     * same way on every member.
     */
    static <T> T read(byte[] bytes, String source, RecordReader.FieldReader<T> reader) {
        try {
            return reader.read(RecordReader.of(bytes, source));
        } catch (CorruptRecordException e) {
            throw new UnsupportedVersionException(e.getMessage(), e);
        }
    }

    private static void checkVersion(RecordReader in) {
        int at = in.position();
        byte version = in.int8();
        if (version < 1 || version > VERSION) {
            throw new UnsupportedVersionException(in.source() + " version " + version + " at offset " + at
                    + " (supported: 1.." + VERSION + ")");
        }
    }

    private static void writeCommand(RecordWriter out, ControllerCommand command) {
        switch (command) {
            case InitCluster c -> {
                writeType(out, COMMANDS, INIT_CLUSTER);
                out.modifiedUtf8(c.clusterId());
            }
            case RegisterBroker c -> {
                writeType(out, COMMANDS, REGISTER_BROKER);
                out.int32(c.brokerId()).modifiedUtf8(c.host()).int32(c.port())
                        .optional(c.rack(), RecordWriter::modifiedUtf8);
                writeUuid(out, c.incarnationId());
            }
            case FenceBroker c -> {
                writeType(out, COMMANDS, FENCE_BROKER);
                out.int32(c.brokerId()).int64(c.brokerEpoch());
            }
            case UnfenceBroker c -> {
                writeType(out, COMMANDS, UNFENCE_BROKER);
                out.int32(c.brokerId()).int64(c.brokerEpoch());
            }
            case ControlledShutdown c -> {
                writeType(out, COMMANDS, CONTROLLED_SHUTDOWN);
                out.int32(c.brokerId());
            }
            case CreateTopic c -> {
                writeType(out, COMMANDS, CREATE_TOPIC);
                out.modifiedUtf8(c.name()).int32(c.partitions()).int32(c.replicationFactor())
                        .map(c.assignments(), RecordWriter::int32, ControllerCommandSerde::writeInts)
                        .map(c.configs(), RecordWriter::modifiedUtf8, RecordWriter::modifiedUtf8);
            }
            case DeleteTopic c -> {
                writeType(out, COMMANDS, DELETE_TOPIC);
                writeUuid(out, c.topicId());
            }
            case CreatePartitions c -> {
                writeType(out, COMMANDS, CREATE_PARTITIONS);
                out.modifiedUtf8(c.name()).int32(c.newCount())
                        .list(c.assignments(), ControllerCommandSerde::writeInts);
            }
            case AlterConfigs c -> {
                writeType(out, COMMANDS, ALTER_CONFIGS);
                writeResourceKind(out, c.kind());
                out.modifiedUtf8(c.resourceName()).map(c.changes(), RecordWriter::modifiedUtf8,
                        (w, value) -> w.optional(value, RecordWriter::modifiedUtf8));
            }
            case ReserveProducerIds c -> {
                writeType(out, COMMANDS, RESERVE_PRODUCER_IDS);
                out.int32(c.brokerId()).int32(c.blockSize());
            }
            case AlterPartition c -> {
                writeType(out, COMMANDS, ALTER_PARTITION);
                out.int32(c.brokerId());
                writeUuid(out, c.topicId());
                out.int32(c.partition()).int32(c.leaderEpoch()).int32(c.partitionEpoch());
                writeInts(out, c.newIsr());
            }
            case AlterReassignments c -> {
                writeType(out, COMMANDS, ALTER_REASSIGNMENTS);
                out.list(c.reassignments(), (w, r) -> w.modifiedUtf8(r.topic()).int32(r.partition())
                        .optional(r.target(), ControllerCommandSerde::writeInts));
            }
            case ElectLeaders c -> {
                writeType(out, COMMANDS, ELECT_LEADERS);
                out.bool(c.unclean()).optional(c.partitions(), (w, refs) -> w.list(refs,
                        (w2, ref) -> w2.modifiedUtf8(ref.topic()).int32(ref.partition())));
            }
            case TermFenced c -> {
                writeType(out, COMMANDS, TERM_FENCED);
                out.int64(c.term());
                writeCommand(out, c.command());
            }
            case ReportOfflineReplicas c -> {
                writeType(out, COMMANDS, REPORT_OFFLINE_REPLICAS);
                out.int32(c.brokerId());
                writeUuid(out, c.incarnationId());
                out.list(c.replicas(), (w, r) -> {
                    writeUuid(w, r.topicId());
                    w.int32(r.partition());
                });
            }
            case UpdateFeatures c -> {
                writeType(out, COMMANDS, UPDATE_FEATURES);
                out.int32(c.nodeId()).map(c.changes(), RecordWriter::modifiedUtf8,
                        (w, change) -> w.int16(change.level()).int8(change.upgradeType()));
            }
            case AlterScramCredentials c -> {
                writeType(out, COMMANDS, ALTER_SCRAM_CREDENTIALS);
                out.list(c.deletions(), (w, d) -> w.modifiedUtf8(d.user()).int8(d.mechanism()))
                        .list(c.upsertions(), (w, u) -> w.modifiedUtf8(u.user()).int8(u.mechanism())
                                .int32(u.iterations()).bytes(u.salt()).bytes(u.storedKey()).bytes(u.serverKey()));
            }
            case RegisterEndpoints c -> {
                writeType(out, COMMANDS, REGISTER_ENDPOINTS);
                out.int32(c.brokerId());
                writeUuid(out, c.incarnationId());
                out.list(c.endpoints(), (w, e) -> w.modifiedUtf8(e.listenerName()).modifiedUtf8(e.host())
                        .int32(e.port()).int16(e.securityProtocol()));
            }
            case CreateAcls c -> {
                writeType(out, COMMANDS, CREATE_ACLS);
                out.list(c.bindings(), MetadataRecordSerde::writeAclBinding);
            }
            case DeleteAcls c -> {
                writeType(out, COMMANDS, DELETE_ACLS);
                out.list(c.filters(), ControllerCommandSerde::writeAclFilter);
            }
            case AlterClientQuotas c -> {
                writeType(out, COMMANDS, ALTER_CLIENT_QUOTAS);
                out.list(c.alterations(), (w, a) -> {
                    MetadataRecordSerde.writeQuotaEntity(w, a.entity());
                    w.list(a.ops(), (w2, op) -> {
                        w2.modifiedUtf8(op.key());
                        MetadataRecordSerde.writeOptionalDouble(w2, op.value());
                    });
                });
            }
        }
    }

    private static ControllerCommand readCommand(RecordReader in) {
        return switch (readType(in, COMMANDS)) {
            case INIT_CLUSTER -> new InitCluster(in.modifiedUtf8());
            case REGISTER_BROKER -> new RegisterBroker(in.int32(), in.modifiedUtf8(), in.int32(),
                    in.optional(RecordReader::modifiedUtf8), readUuid(in));
            case FENCE_BROKER -> new FenceBroker(in.int32(), in.int64());
            case UNFENCE_BROKER -> new UnfenceBroker(in.int32(), in.int64());
            case CONTROLLED_SHUTDOWN -> new ControlledShutdown(in.int32());
            case CREATE_TOPIC -> {
                String name = in.modifiedUtf8();
                int partitions = in.int32();
                int replicationFactor = in.int32();
                TreeMap<Integer, List<Integer>> assignments = in.map(TreeMap::new, RecordReader::int32,
                        ControllerCommandSerde::readInts);
                TreeMap<String, String> configs = in.map(TreeMap::new, RecordReader::modifiedUtf8,
                        RecordReader::modifiedUtf8);
                yield new CreateTopic(name, partitions, replicationFactor, assignments, configs);
            }
            case DELETE_TOPIC -> new DeleteTopic(readUuid(in));
            case CREATE_PARTITIONS -> new CreatePartitions(in.modifiedUtf8(), in.int32(),
                    in.list(ControllerCommandSerde::readInts));
            case ALTER_CONFIGS -> {
                ResourceKind kind = readResourceKind(in);
                String resource = in.modifiedUtf8();
                TreeMap<String, Optional<String>> changes = in.map(TreeMap::new, RecordReader::modifiedUtf8,
                        r -> r.optional(RecordReader::modifiedUtf8));
                yield new AlterConfigs(kind, resource, changes);
            }
            case RESERVE_PRODUCER_IDS -> new ReserveProducerIds(in.int32(), in.int32());
            case ALTER_PARTITION -> new AlterPartition(in.int32(), readUuid(in), in.int32(), in.int32(), in.int32(),
                    readInts(in));
            case ALTER_REASSIGNMENTS -> new AlterReassignments(in.list(r -> new Reassignment(r.modifiedUtf8(),
                    r.int32(), r.optional(ControllerCommandSerde::readInts))));
            case ELECT_LEADERS -> new ElectLeaders(in.bool(), in.optional(r -> r.list(
                    r2 -> new PartitionRef(r2.modifiedUtf8(), r2.int32()))));
            case TERM_FENCED -> new TermFenced(in.int64(), readCommand(in));
            case REPORT_OFFLINE_REPLICAS -> new ReportOfflineReplicas(in.int32(), readUuid(in),
                    in.list(r -> new ReplicaKey(readUuid(r), r.int32())));
            case UPDATE_FEATURES -> new UpdateFeatures(in.int32(), in.map(TreeMap::new, RecordReader::modifiedUtf8,
                    r -> new FeatureChange(r.int16(), r.int8())));
            case ALTER_SCRAM_CREDENTIALS -> new AlterScramCredentials(
                    in.list(r -> new ScramDeletion(r.modifiedUtf8(), r.int8())),
                    in.list(r -> new ScramUpsertion(r.modifiedUtf8(), r.int8(), r.int32(), r.bytes(), r.bytes(),
                            r.bytes())));
            case REGISTER_ENDPOINTS -> new RegisterEndpoints(in.int32(), readUuid(in), in.list(r -> new Endpoint(
                    r.modifiedUtf8(), r.modifiedUtf8(), r.int32(), r.int16())));
            case CREATE_ACLS -> new CreateAcls(in.list(MetadataRecordSerde::readAclBinding));
            case DELETE_ACLS -> new DeleteAcls(in.list(ControllerCommandSerde::readAclFilter));
            case ALTER_CLIENT_QUOTAS -> new AlterClientQuotas(in.list(r -> new QuotaAdmin.Alteration(
                    MetadataRecordSerde.readQuotaEntity(r), r.list(r2 -> new QuotaAdmin.Op(r2.modifiedUtf8(),
                            MetadataRecordSerde.readOptionalDouble(r2))))));
            default -> throw unreachable(COMMANDS);
        };
    }

    private static void writeType(RecordWriter out, RecordFormat format, int id) {
        format.writeType(out, format.type(id).orElseThrow());
    }

    /** The id of a known type: REJECT makes an unknown one throw. */
    private static int readType(RecordReader in, RecordFormat format) {
        return format.readType(in).orElseThrow().id();
    }

    private static IllegalStateException unreachable(RecordFormat format) {
        return new IllegalStateException("a registered type of " + format.name() + " is not decoded");
    }

    private static void writeAclFilter(RecordWriter out, AclBindingFilter filter) {
        ResourcePatternFilter pattern = filter.patternFilter();
        AccessControlEntryFilter entry = filter.entryFilter();
        out.int8(pattern.resourceType().code())
                .optional(Optional.ofNullable(pattern.name()), RecordWriter::modifiedUtf8)
                .int8(pattern.patternType().code())
                .optional(Optional.ofNullable(entry.principal()), RecordWriter::modifiedUtf8)
                .optional(Optional.ofNullable(entry.host()), RecordWriter::modifiedUtf8)
                .int8(entry.operation().code()).int8(entry.permissionType().code());
    }

    private static AclBindingFilter readAclFilter(RecordReader in) {
        ResourceType type = ResourceType.fromCode(in.int8());
        String name = in.optional(RecordReader::modifiedUtf8).orElse(null);
        PatternType patternType = PatternType.fromCode(in.int8());
        String principal = in.optional(RecordReader::modifiedUtf8).orElse(null);
        String host = in.optional(RecordReader::modifiedUtf8).orElse(null);
        AclOperation operation = AclOperation.fromCode(in.int8());
        AclPermissionType permission = AclPermissionType.fromCode(in.int8());
        return new AclBindingFilter(new ResourcePatternFilter(type, name, patternType),
                new AccessControlEntryFilter(principal, host, operation, permission));
    }

    private static void writeInts(RecordWriter out, List<Integer> values) {
        out.list(values, RecordWriter::int32);
    }

    private static List<Integer> readInts(RecordReader in) {
        return in.list(RecordReader::int32);
    }
}
