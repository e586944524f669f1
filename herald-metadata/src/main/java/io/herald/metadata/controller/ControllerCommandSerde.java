package io.herald.metadata.controller;

import static io.herald.metadata.record.MetadataRecordSerde.readInts;
import static io.herald.metadata.record.MetadataRecordSerde.readOptional;
import static io.herald.metadata.record.MetadataRecordSerde.readUuid;
import static io.herald.metadata.record.MetadataRecordSerde.writeInts;
import static io.herald.metadata.record.MetadataRecordSerde.writeOptional;
import static io.herald.metadata.record.MetadataRecordSerde.writeUuid;

import io.herald.metadata.controller.ControllerCommand.AlterConfigs;
import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.AlterReassignments;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreatePartitions;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.DeleteTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.PartitionRef;
import io.herald.metadata.controller.ControllerCommand.Reassignment;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.ReserveProducerIds;
import io.herald.metadata.controller.ControllerCommand.TermFenced;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.controller.LeaderRequest.Validate;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Binary encoding of {@link ControllerCommand}s (quorum log entries) and {@link LeaderRequest}s.
 *
 * <p>Format: {@code [byte version][byte type][fields]}. The version is {@link #VERSION}; a member meeting an
 * entry of a newer version refuses it ({@link UnsupportedVersionException}) rather than guess, so every
 * member decides the same way. Adding a command type or a trailing field means a new version; readers keep
 * decoding every older one. Stateless, thread-safe.
 */
public final class ControllerCommandSerde {
    public static final byte VERSION = 2;

    private static final byte INIT_CLUSTER = 1;
    private static final byte REGISTER_BROKER = 2;
    private static final byte FENCE_BROKER = 3;
    private static final byte UNFENCE_BROKER = 4;
    private static final byte CONTROLLED_SHUTDOWN = 5;
    private static final byte CREATE_TOPIC = 6;
    private static final byte DELETE_TOPIC = 7;
    private static final byte CREATE_PARTITIONS = 8;
    private static final byte ALTER_CONFIGS = 9;
    private static final byte RESERVE_PRODUCER_IDS = 10;
    private static final byte ALTER_PARTITION = 11;
    private static final byte ALTER_REASSIGNMENTS = 12;
    private static final byte ELECT_LEADERS = 13;
    /** Since version 2. */
    private static final byte TERM_FENCED = 14;

    private static final byte HEARTBEAT = 1;
    private static final byte VALIDATE = 2;

    private ControllerCommandSerde() {
    }

    /** An entry this member cannot decode: written by a newer version, or not a command at all. */
    public static final class UnsupportedVersionException extends RuntimeException {
        UnsupportedVersionException(String message) {
            super(message);
        }
    }

    public static byte[] encode(ControllerCommand command) {
        return write(out -> {
            out.writeByte(VERSION);
            writeCommand(command, out);
        });
    }

    public static ControllerCommand decode(byte[] entry) {
        return read(entry, in -> {
            checkVersion(in.readByte());
            return readCommand(in);
        });
    }

    public static byte[] encode(LeaderRequest request) {
        return write(out -> {
            out.writeByte(VERSION);
            switch (request) {
                case Heartbeat h -> {
                    out.writeByte(HEARTBEAT);
                    out.writeInt(h.brokerId());
                    writeUuid(out, h.incarnationId());
                }
                case Validate v -> {
                    out.writeByte(VALIDATE);
                    writeCommand(v.command(), out);
                }
            }
        });
    }

    public static LeaderRequest decodeLeaderRequest(byte[] request) {
        return read(request, in -> {
            checkVersion(in.readByte());
            byte type = in.readByte();
            return switch (type) {
                case HEARTBEAT -> new Heartbeat(in.readInt(), readUuid(in));
                case VALIDATE -> new Validate(readCommand(in));
                default -> throw new UnsupportedVersionException("unknown leader request type " + type);
            };
        });
    }

    private static void checkVersion(byte version) {
        if (version < 1 || version > VERSION) {
            throw new UnsupportedVersionException("controller command version " + version + " (supported: 1.."
                    + VERSION + ")");
        }
    }

    private static void writeCommand(ControllerCommand command, DataOutputStream out) throws IOException {
        switch (command) {
            case InitCluster c -> {
                out.writeByte(INIT_CLUSTER);
                out.writeUTF(c.clusterId());
            }
            case RegisterBroker c -> {
                out.writeByte(REGISTER_BROKER);
                out.writeInt(c.brokerId());
                out.writeUTF(c.host());
                out.writeInt(c.port());
                writeOptional(out, c.rack());
                writeUuid(out, c.incarnationId());
            }
            case FenceBroker c -> {
                out.writeByte(FENCE_BROKER);
                out.writeInt(c.brokerId());
                out.writeLong(c.brokerEpoch());
            }
            case UnfenceBroker c -> {
                out.writeByte(UNFENCE_BROKER);
                out.writeInt(c.brokerId());
                out.writeLong(c.brokerEpoch());
            }
            case ControlledShutdown c -> {
                out.writeByte(CONTROLLED_SHUTDOWN);
                out.writeInt(c.brokerId());
            }
            case CreateTopic c -> {
                out.writeByte(CREATE_TOPIC);
                out.writeUTF(c.name());
                out.writeInt(c.partitions());
                out.writeInt(c.replicationFactor());
                out.writeInt(c.assignments().size());
                for (var e : c.assignments().entrySet()) {
                    out.writeInt(e.getKey());
                    writeInts(out, e.getValue());
                }
                out.writeInt(c.configs().size());
                for (var e : c.configs().entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeUTF(e.getValue());
                }
            }
            case DeleteTopic c -> {
                out.writeByte(DELETE_TOPIC);
                writeUuid(out, c.topicId());
            }
            case CreatePartitions c -> {
                out.writeByte(CREATE_PARTITIONS);
                out.writeUTF(c.name());
                out.writeInt(c.newCount());
                out.writeInt(c.assignments().size());
                for (List<Integer> replicas : c.assignments()) {
                    writeInts(out, replicas);
                }
            }
            case AlterConfigs c -> {
                out.writeByte(ALTER_CONFIGS);
                out.writeByte(c.kind().ordinal());
                out.writeUTF(c.resourceName());
                out.writeInt(c.changes().size());
                for (var e : c.changes().entrySet()) {
                    out.writeUTF(e.getKey());
                    writeOptional(out, e.getValue());
                }
            }
            case ReserveProducerIds c -> {
                out.writeByte(RESERVE_PRODUCER_IDS);
                out.writeInt(c.brokerId());
                out.writeInt(c.blockSize());
            }
            case AlterPartition c -> {
                out.writeByte(ALTER_PARTITION);
                out.writeInt(c.brokerId());
                writeUuid(out, c.topicId());
                out.writeInt(c.partition());
                out.writeInt(c.leaderEpoch());
                out.writeInt(c.partitionEpoch());
                writeInts(out, c.newIsr());
            }
            case AlterReassignments c -> {
                out.writeByte(ALTER_REASSIGNMENTS);
                out.writeInt(c.reassignments().size());
                for (Reassignment r : c.reassignments()) {
                    out.writeUTF(r.topic());
                    out.writeInt(r.partition());
                    out.writeBoolean(r.target().isPresent());
                    if (r.target().isPresent()) {
                        writeInts(out, r.target().get());
                    }
                }
            }
            case ElectLeaders c -> {
                out.writeByte(ELECT_LEADERS);
                out.writeBoolean(c.unclean());
                out.writeBoolean(c.partitions().isPresent());
                if (c.partitions().isPresent()) {
                    out.writeInt(c.partitions().get().size());
                    for (PartitionRef ref : c.partitions().get()) {
                        out.writeUTF(ref.topic());
                        out.writeInt(ref.partition());
                    }
                }
            }
            case TermFenced c -> {
                out.writeByte(TERM_FENCED);
                out.writeLong(c.term());
                writeCommand(c.command(), out);
            }
        }
    }

    private static ControllerCommand readCommand(DataInputStream in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case INIT_CLUSTER -> new InitCluster(in.readUTF());
            case REGISTER_BROKER -> new RegisterBroker(in.readInt(), in.readUTF(), in.readInt(), readOptional(in),
                    readUuid(in));
            case FENCE_BROKER -> new FenceBroker(in.readInt(), in.readLong());
            case UNFENCE_BROKER -> new UnfenceBroker(in.readInt(), in.readLong());
            case CONTROLLED_SHUTDOWN -> new ControlledShutdown(in.readInt());
            case CREATE_TOPIC -> {
                String name = in.readUTF();
                int partitions = in.readInt();
                int replicationFactor = in.readInt();
                TreeMap<Integer, List<Integer>> assignments = new TreeMap<>();
                for (int i = in.readInt(); i > 0; i--) {
                    assignments.put(in.readInt(), readInts(in));
                }
                TreeMap<String, String> configs = new TreeMap<>();
                for (int i = in.readInt(); i > 0; i--) {
                    configs.put(in.readUTF(), in.readUTF());
                }
                yield new CreateTopic(name, partitions, replicationFactor, assignments, configs);
            }
            case DELETE_TOPIC -> new DeleteTopic(readUuid(in));
            case CREATE_PARTITIONS -> {
                String name = in.readUTF();
                int newCount = in.readInt();
                List<List<Integer>> assignments = new ArrayList<>();
                for (int i = in.readInt(); i > 0; i--) {
                    assignments.add(readInts(in));
                }
                yield new CreatePartitions(name, newCount, assignments);
            }
            case ALTER_CONFIGS -> {
                ResourceKind kind = ResourceKind.values()[in.readByte()];
                String resource = in.readUTF();
                TreeMap<String, Optional<String>> changes = new TreeMap<>();
                for (int i = in.readInt(); i > 0; i--) {
                    changes.put(in.readUTF(), readOptional(in));
                }
                yield new AlterConfigs(kind, resource, changes);
            }
            case RESERVE_PRODUCER_IDS -> new ReserveProducerIds(in.readInt(), in.readInt());
            case ALTER_PARTITION -> new AlterPartition(in.readInt(), readUuid(in), in.readInt(), in.readInt(),
                    in.readInt(), readInts(in));
            case ALTER_REASSIGNMENTS -> {
                List<Reassignment> list = new ArrayList<>();
                for (int i = in.readInt(); i > 0; i--) {
                    String topic = in.readUTF();
                    int partition = in.readInt();
                    Optional<List<Integer>> target = in.readBoolean() ? Optional.of(readInts(in)) : Optional.empty();
                    list.add(new Reassignment(topic, partition, target));
                }
                yield new AlterReassignments(list);
            }
            case ELECT_LEADERS -> {
                boolean unclean = in.readBoolean();
                Optional<List<PartitionRef>> partitions = Optional.empty();
                if (in.readBoolean()) {
                    List<PartitionRef> refs = new ArrayList<>();
                    for (int i = in.readInt(); i > 0; i--) {
                        refs.add(new PartitionRef(in.readUTF(), in.readInt()));
                    }
                    partitions = Optional.of(refs);
                }
                yield new ElectLeaders(unclean, partitions);
            }
            case TERM_FENCED -> {
                long term = in.readLong();
                yield new TermFenced(term, readCommand(in));
            }
            default -> throw new UnsupportedVersionException("unknown controller command type " + type);
        };
    }

    @FunctionalInterface
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    @FunctionalInterface
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            DataOutputStream out = new DataOutputStream(bytes);
            writer.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static <T> T read(byte[] bytes, Reader<T> reader) {
        try {
            return reader.read(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (java.io.EOFException e) {
            throw new UnsupportedVersionException("truncated controller entry");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
