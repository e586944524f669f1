package io.herald.transaction.record;

import io.herald.common.codec.KeyValueCodec;
import io.herald.common.codec.RecordFormat;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import io.herald.common.codec.RecordReader;
import io.herald.common.codec.RecordType;
import io.herald.common.codec.RecordWriter;
import io.herald.coordinator.runtime.CoordinatorRecordSerde;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import io.herald.transaction.state.TransactionVersion;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * Herald's binary format of {@code __transaction_state} records (not Kafka's: only Herald reads these bytes back),
 * framed by {@link KeyValueCodec}.
 *
 * <pre>
 * key   := keyType:int16 transactionalId:string               (keyType 1 = transaction metadata)
 * value (v0) := version:int16 producerId:int64 prevProducerId:int64 nextProducerId:int64 producerEpoch:int16
 *               lastProducerEpoch:int16 timeoutMs:int32 state:int8 count:int32 topic* startTimestamp:int64
 *               lastUpdateTimestamp:int64 clientTransactionVersion:int16
 * topic := name:string count:int32 partition:int32*          (topics by name, partitions ascending)
 * string := len:int16 utf8
 * </pre>
 *
 * <p>{@code state} is Kafka's state id ({@link TransactionState#id()}); only Empty, Ongoing, Prepare* and
 * Complete* are ever written. Unlike Kafka's format the last producer epoch is stored, so a KIP-360 retry also
 * works after a coordinator failover. A null value is a tombstone (the id expired).
 *
 * <p>Compatibility ({@link KeyValueCodec}): a later value version only appends fields; a reader of version N
 * reads the prefix it knows of any version &gt;= N. The key has no version; an unknown key type is skipped, so a
 * downgrade never stops a partition from loading. Partitions are written in a fixed order so equal metadata gives
 * equal bytes. Golden fixtures: {@code golden/transaction-state/} in the tests.
 *
 * <p>Stateless and thread-safe.
 */
public final class TransactionRecordSerde implements CoordinatorRecordSerde<TransactionRecord> {
    public static final TransactionRecordSerde INSTANCE = new TransactionRecordSerde();

    private static final int TRANSACTION_METADATA_ID = 1;
    static final RecordType TRANSACTION_METADATA = new RecordType(TRANSACTION_METADATA_ID, "transaction-metadata",
            (short) 0);
    static final RecordFormat FORMAT = RecordFormat.of("__transaction_state record", TypeIdWidth.INT16,
            UnknownTypes.SKIP, TRANSACTION_METADATA);
    private static final KeyValueCodec CODEC = new KeyValueCodec(FORMAT);

    private TransactionRecordSerde() {
    }

    @Override
    public byte[] key(TransactionRecord record) {
        return CODEC.key(TRANSACTION_METADATA, w -> w.string(record.transactionalId()));
    }

    @Override
    public byte[] value(TransactionRecord record) {
        return record.value().map(v -> CODEC.value(TRANSACTION_METADATA, w -> writeValue(w, v))).orElse(null);
    }

    private static void writeValue(RecordWriter w, TransactionMetadata m) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        m.partitions().stream().sorted(Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition))
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
        w.int64(m.producerId()).int64(m.prevProducerId()).int64(m.nextProducerId())
                .int16(m.producerEpoch()).int16(m.lastProducerEpoch()).int32(m.timeoutMs())
                .int8(m.state().id())
                .map(byTopic, RecordWriter::string, (out, partitions) -> out.list(partitions, RecordWriter::int32))
                .int64(m.startTimestamp()).int64(m.lastUpdateTimestamp())
                .int16(m.clientTransactionVersion().level());
    }

    /**
     * Decodes one record; empty for a key type this version does not know. Neither buffer's position moves.
     *
     * @param value the value, or null for a tombstone
     * @throws CorruptRecordException if the bytes do not follow the format
     */
    @Override
    public Optional<TransactionRecord> decode(ByteBuffer key, ByteBuffer value) {
        try {
            return CODEC.decode(key, value).map(TransactionRecordSerde::read);
        } catch (RuntimeException e) {
            // Kafka's exception: the runtime's load reports it like any corrupt record and retries.
            throw new CorruptRecordException("Undecodable __transaction_state record: " + e);
        }
    }

    private static TransactionRecord read(KeyValueCodec.Decoded record) {
        String transactionalId = record.key().string();
        // v0 is the only version; a later one appended fields, which the v0 prefix ignores.
        return new TransactionRecord(transactionalId,
                record.value().map(v -> readValue(transactionalId, v.fields())));
    }

    private static TransactionMetadata readValue(String transactionalId, RecordReader v) {
        long producerId = v.int64();
        long prevProducerId = v.int64();
        long nextProducerId = v.int64();
        short epoch = v.int16();
        short lastEpoch = v.int16();
        int timeoutMs = v.int32();
        TransactionState state = TransactionState.fromId(v.int8());
        Map<String, List<Integer>> byTopic = v.map(TreeMap::new, RecordReader::string,
                r -> r.list(RecordReader::int32));
        Set<TopicPartition> partitions = new HashSet<>();
        byTopic.forEach((topic, ps) -> ps.forEach(p -> partitions.add(new TopicPartition(topic, p))));
        long start = v.int64();
        long lastUpdate = v.int64();
        TransactionVersion version = TransactionVersion.fromLevel(v.int16());
        return new TransactionMetadata(transactionalId, producerId, prevProducerId, nextProducerId, epoch, lastEpoch,
                timeoutMs, state, partitions, start, lastUpdate, version);
    }
}
