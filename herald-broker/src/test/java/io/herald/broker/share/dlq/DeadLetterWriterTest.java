package io.herald.broker.share.dlq;

import io.herald.broker.partition.LeaderLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.broker.share.ArchiveReason;
import io.herald.broker.share.ArchivedRecords;
import io.herald.broker.share.DeadLetterBatch;
import io.herald.broker.share.DeadLetterQueue.Outcome;
import io.herald.broker.share.DeadLetterQueue;
import io.herald.common.time.ManualTime;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareGroupSettings;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter writer against in-memory logs: what one batch becomes, KIP-1191's rules for the topic, how append
 * failures are answered, and the tail scan that finds copies in doubt.
 */
class DeadLetterWriterTest {
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid DLQ_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private static final TopicIdPartition SOURCE = new TopicIdPartition(ORDERS_ID, 0, "orders");

    private final ManualTime time = new ManualTime();
    private final MemoryLogs.Source source = new MemoryLogs.Source();
    private final MemoryLogs.DeadLetters dlq = new MemoryLogs.DeadLetters();
    private final AtomicReference<ShareGroupSettings> group = new AtomicReference<>();
    private final Map<String, String> dlqConfigs = new HashMap<>(Map.of("errors.deadletterqueue.group.enable", "true"));
    private final List<String> created = new ArrayList<>();
    private boolean dlqExists = true;
    private boolean autoCreate;

    @BeforeEach
    void setUp() {
        group.set(settings(Optional.of("dlq.orders"), false));
    }

    private DeadLetterWriter writer(int maxScan) {
        GroupConfigView configs = id -> group.get();
        DeadLetterTopics topics = new DeadLetterTopics(this::image, configs,
                new DeadLetterTopics.Settings("dlq.", autoCreate, 1, (short) 1),
                (name, partitions, rf, cfg) -> created.add(name + " " + cfg), Map.of());
        return new DeadLetterWriter(topics, leader -> dlq, Runnable::run, time, maxScan);
    }

    private ClusterImage image() {
        Map<String, TopicImage> topics = new HashMap<>();
        topics.put("orders", topic("orders", ORDERS_ID, Map.of()));
        if (dlqExists) {
            topics.put("dlq.orders", topic("dlq.orders", DLQ_ID, dlqConfigs));
        }
        return new ClusterImage("c", 1, Map.of(), topics, Map.of(), Map.of(), 0);
    }

    private static TopicImage topic(String name, Uuid id, Map<String, String> configs) {
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        partitions.put(0, new PartitionImage(0, List.of(1), List.of(1), 1, 0, 0));
        return new TopicImage(name, id, partitions, configs);
    }

    private static ShareGroupSettings settings(Optional<String> topic, boolean copy) {
        ShareGroupSettings d = ShareGroupSettings.defaults();
        return new ShareGroupSettings(d.sessionTimeoutMs(), d.heartbeatIntervalMs(), d.maxSize(),
                d.recordLockDurationMs(), d.deliveryCountLimit(), d.partitionMaxRecordLocks(), d.autoOffsetReset(),
                d.isolationLevel(), d.renewAcknowledgeEnable(), topic, copy, 0, 60_000, 2.0);
    }

    private DeadLetterBatch batch(String groupId, long first, long last, ArchiveReason reason) {
        return new DeadLetterBatch(groupId, SOURCE, source, List.of(new ArchivedRecords(groupId, SOURCE, first, last,
                3, reason)));
    }

    private List<Record> copies() {
        List<Record> out = new ArrayList<>();
        for (RecordBatch b : dlq.from(0).batches()) {
            b.forEach(out::add);
        }
        return out;
    }

    private static Map<String, String> headers(Record r) {
        Map<String, String> out = new HashMap<>();
        for (Header h : r.headers()) {
            out.putIfAbsent(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void aBatchBecomesOneRecordBatchOfHeaderOnlyCopies() {
        source.appendStrings(5);

        Outcome outcome = writer(1000).write(batch("g", 1, 3, ArchiveReason.DELIVERY_LIMIT)).join();

        assertThat(outcome).isEqualTo(Outcome.WRITTEN);
        assertThat(dlq.batches).hasSize(1);
        List<Record> copies = copies();
        assertThat(copies).hasSize(3);
        assertThat(copies).allSatisfy(r -> {
            assertThat(r.key()).isNull();
            assertThat(r.value()).isNull();
        });
        assertThat(headers(copies.get(0))).containsEntry("__dlq.errors.topic", "orders")
                .containsEntry("__dlq.errors.partition", "0").containsEntry("__dlq.errors.offset", "1")
                .containsEntry("__dlq.errors.group", "g").containsEntry("__dlq.errors.delivery.count", "3")
                .containsEntry("__dlq.errors.message", DeadLetterHeaders.message(ArchiveReason.DELIVERY_LIMIT, 3));
    }

    @Test
    void copyRecordCopiesKeyValueAndTheOriginalHeadersAfterTheContext() {
        group.set(settings(Optional.of("dlq.orders"), true));
        // An original that itself looks like a dead-letter copy must not change what the copy says it is.
        source.appendStrings(1, new RecordHeader("__dlq.errors.offset", "99".getBytes()),
                new RecordHeader("trace", "t".getBytes()));

        writer(1000).write(batch("g", 0, 0, ArchiveReason.REJECTED)).join();

        Record copy = copies().get(0);
        assertThat(StandardCharsets.UTF_8.decode(copy.key()).toString()).isEqualTo("k0");
        assertThat(StandardCharsets.UTF_8.decode(copy.value()).toString()).isEqualTo("v0");
        assertThat(headers(copy)).containsEntry("__dlq.errors.offset", "0").containsEntry("trace", "t");
        assertThat(DeadLetterHeaders.origin(copy).orElseThrow().offset()).isZero();
    }

    @Test
    void misconfiguredTopicsAreSkippedWithoutWriting() {
        source.appendStrings(1);
        DeadLetterWriter writer = writer(1000);

        dlqConfigs.remove("errors.deadletterqueue.group.enable");
        assertThat(writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join()).isEqualTo(Outcome.SKIPPED);
        dlqConfigs.put("errors.deadletterqueue.group.enable", "true");
        group.set(settings(Optional.of("orders"), false));
        assertThat(writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join()).isEqualTo(Outcome.SKIPPED);
        group.set(settings(Optional.empty(), false));
        assertThat(writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join()).isEqualTo(Outcome.SKIPPED);
        group.set(settings(Optional.of("dlq.orders"), false));
        dlqExists = false;
        assertThat(writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join()).isEqualTo(Outcome.SKIPPED);

        assertThat(dlq.batches).isEmpty();
        assertThat(created).isEmpty();
    }

    @Test
    void aMissingTopicIsCreatedEnabledWhenAllowedAndWrittenOnTheRetry() {
        source.appendStrings(1);
        autoCreate = true;
        dlqExists = false;
        DeadLetterWriter writer = writer(1000);

        assertThatThrownBy(() -> writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join())
                .hasCauseInstanceOf(DeadLetterQueue.NotWrittenException.class);
        assertThat(created).containsExactly("dlq.orders {errors.deadletterqueue.group.enable=true}");

        dlqExists = true;
        assertThat(writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join()).isEqualTo(Outcome.WRITTEN);
    }

    @Test
    void appendFailuresSayWhetherARetryMayDuplicate() {
        source.appendStrings(1);
        DeadLetterWriter writer = writer(1000);

        dlq.failNext(Errors.NOT_ENOUGH_REPLICAS, false);
        assertThatThrownBy(() -> writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join())
                .hasCauseInstanceOf(DeadLetterQueue.NotWrittenException.class);
        dlq.failNext(Errors.MESSAGE_TOO_LARGE, false);
        assertThat(writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join()).isEqualTo(Outcome.SKIPPED);
        dlq.failNext(Errors.REQUEST_TIMED_OUT, true);
        assertThatThrownBy(() -> writer.write(batch("g", 0, 0, ArchiveReason.REJECTED)).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(LeaderLog.AppendFailedException.class);
        assertThat(dlq.batches).as("the one in doubt did land").hasSize(1);
    }

    @Test
    void theScanFindsCopiesInDoubtPastOtherGroupsCopiesAndStopsAtASettledOne() {
        source.appendStrings(10);
        DeadLetterWriter writer = writer(1000);
        writer.write(batch("g", 0, 1, ArchiveReason.REJECTED)).join();   // settled (Archived)
        writer.write(batch("g", 5, 6, ArchiveReason.REJECTED)).join();   // the one in doubt
        writer.write(batch("other", 5, 6, ArchiveReason.REJECTED)).join(); // another group's, later

        assertThat(writer.copied(batch("g", 5, 9, ArchiveReason.REJECTED)).join()).containsExactly(5L, 6L);
        // A batch in doubt whose copy is older than a settled copy was never written after it: not found.
        assertThat(writer.copied(batch("g", 7, 9, ArchiveReason.REJECTED)).join()).isEmpty();
        assertThat(writer.copied(batch("g", 0, 1, ArchiveReason.REJECTED)).join())
                .as("the scan stops at the newest settled copy").isEmpty();
    }

    @Test
    void theScanIsBoundedAndReportsWhatItFound() {
        source.appendStrings(3);
        DeadLetterWriter writer = writer(DeadLetterScan.CHUNK_OFFSETS);
        writer.write(batch("g", 0, 2, ArchiveReason.REJECTED)).join();
        for (int i = 0; i < DeadLetterScan.CHUNK_OFFSETS; i++) {
            writer.write(batch("other", 0, 0, ArchiveReason.REJECTED)).join();
        }

        assertThat(writer.copied(batch("g", 0, 2, ArchiveReason.REJECTED)).join())
                .as("beyond the bound").isEmpty();
        assertThat(writer(10 * DeadLetterScan.CHUNK_OFFSETS).copied(batch("g", 0, 2, ArchiveReason.REJECTED)).join())
                .containsExactly(0L, 1L, 2L);
    }

    @Test
    void retentionOfTheSourceLeavesGoneRecordsOut() {
        source.appendStrings(4);
        source.start = 2;
        source.batches.clear();
        source.end = 2;
        source.appendStrings(2);

        writer(1000).write(batch("g", 0, 3, ArchiveReason.REJECTED)).join();

        assertThat(copies()).extracting(r -> headers(r).get("__dlq.errors.offset")).containsExactly("2", "3");
    }
}
