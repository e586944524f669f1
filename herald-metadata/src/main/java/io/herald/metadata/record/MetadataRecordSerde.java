package io.herald.metadata.record;

import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.ConfigRecord;
import io.herald.metadata.record.MetadataRecord.PartitionRecord;
import io.herald.metadata.record.MetadataRecord.ProducerIdsRecord;
import io.herald.metadata.record.MetadataRecord.RemoveTopicRecord;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import io.herald.metadata.record.MetadataRecord.TopicRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Binary encoding of metadata records: a count, then per record a type byte and its fields. Used for
 * controller snapshots and for records carried in controller replies. Stateless, thread-safe.
 */
public final class MetadataRecordSerde {
    private static final byte TOPIC = 1;
    private static final byte PARTITION = 2;
    private static final byte REMOVE_TOPIC = 3;
    private static final byte CONFIG = 4;
    private static final byte BROKER = 5;
    private static final byte PRODUCER_IDS = 6;
    private static final byte CLUSTER_ID = 7;

    private MetadataRecordSerde() {
    }

    /** The batch as bytes. */
    public static byte[] toBytes(List<MetadataRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeBatch(records, new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The batch {@link #toBytes} wrote. */
    public static List<MetadataRecord> fromBytes(byte[] bytes) {
        try {
            return readBatch(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeBatch(List<MetadataRecord> records, DataOutputStream out) throws IOException {
        out.writeInt(records.size());
        for (MetadataRecord record : records) {
            switch (record) {
                case TopicRecord t -> {
                    out.writeByte(TOPIC);
                    out.writeUTF(t.name());
                    writeUuid(out, t.topicId());
                }
                case PartitionRecord p -> {
                    out.writeByte(PARTITION);
                    writeUuid(out, p.topicId());
                    out.writeInt(p.partition());
                    writeInts(out, p.replicas());
                    writeInts(out, p.isr());
                    out.writeInt(p.leader());
                    out.writeInt(p.leaderEpoch());
                    out.writeInt(p.partitionEpoch());
                    writeInts(out, p.addingReplicas());
                    writeInts(out, p.removingReplicas());
                }
                case RemoveTopicRecord r -> {
                    out.writeByte(REMOVE_TOPIC);
                    writeUuid(out, r.topicId());
                }
                case ConfigRecord c -> {
                    out.writeByte(CONFIG);
                    out.writeByte(c.kind().ordinal());
                    out.writeUTF(c.resourceName());
                    out.writeUTF(c.name());
                    writeOptional(out, c.value());
                }
                case ProducerIdsRecord ids -> {
                    out.writeByte(PRODUCER_IDS);
                    out.writeInt(ids.brokerId());
                    out.writeLong(ids.nextProducerId());
                }
                case BrokerRecord b -> {
                    out.writeByte(BROKER);
                    out.writeInt(b.brokerId());
                    out.writeUTF(b.host());
                    out.writeInt(b.port());
                    writeOptional(out, b.rack());
                    writeUuid(out, b.incarnationId());
                    out.writeLong(b.brokerEpoch());
                    out.writeBoolean(b.fenced());
                }
                case ClusterIdRecord c -> {
                    out.writeByte(CLUSTER_ID);
                    out.writeUTF(c.clusterId());
                }
            }
        }
        out.flush();
    }

    public static List<MetadataRecord> readBatch(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<MetadataRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte type = in.readByte();
            records.add(switch (type) {
                case TOPIC -> new TopicRecord(in.readUTF(), readUuid(in));
                case PARTITION -> new PartitionRecord(readUuid(in), in.readInt(), readInts(in), readInts(in),
                        in.readInt(), in.readInt(), in.readInt(), readInts(in), readInts(in));
                case REMOVE_TOPIC -> new RemoveTopicRecord(readUuid(in));
                case CONFIG -> new ConfigRecord(ResourceKind.values()[in.readByte()], in.readUTF(), in.readUTF(),
                        readOptional(in));
                case PRODUCER_IDS -> new ProducerIdsRecord(in.readInt(), in.readLong());
                case BROKER -> new BrokerRecord(in.readInt(), in.readUTF(), in.readInt(), readOptional(in),
                        readUuid(in), in.readLong(), in.readBoolean());
                case CLUSTER_ID -> new ClusterIdRecord(in.readUTF());
                default -> throw new IllegalStateException("unknown metadata record type " + type);
            });
        }
        return records;
    }

    public static void writeUuid(DataOutputStream out, Uuid id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    public static Uuid readUuid(DataInputStream in) throws IOException {
        return new Uuid(in.readLong(), in.readLong());
    }

    public static void writeInts(DataOutputStream out, List<Integer> values) throws IOException {
        out.writeInt(values.size());
        for (int v : values) {
            out.writeInt(v);
        }
    }

    public static List<Integer> readInts(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<Integer> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(in.readInt());
        }
        return values;
    }

    public static void writeOptional(DataOutputStream out, Optional<String> value) throws IOException {
        out.writeBoolean(value.isPresent());
        if (value.isPresent()) {
            out.writeUTF(value.get());
        }
    }

    public static Optional<String> readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? Optional.of(in.readUTF()) : Optional.empty();
    }

}
