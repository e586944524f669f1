package io.herald.storage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.herald.common.time.ManualTime;
import io.herald.storage.cleaner.LogCleaner;
import io.herald.storage.log.LogAppendInfo;
import io.herald.storage.log.PartitionCheckpoint;
import io.herald.storage.log.PartitionLog;
import io.herald.storage.testutil.TestDirs;
import io.herald.storage.testutil.TestRecords;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords.Rec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The invariant of {@link TopicConfigs}: every set of values its ConfigDef accepts builds a {@link LogConfig}
 * that a log runs with. Configs are drawn from values at and around each validator's edges (some refused,
 * which only checks that refusing is a {@link ConfigException}); with the accepted ones a log takes appends in
 * every codec with timestamps around the bounds, rolls, retention, cleaning, flushes and a reopen, and must
 * give back exactly what it acknowledged. An append may fail only with the error Kafka gives for the config
 * that explains it.
 */
class TopicConfigPropertyTest {
    private static final TopicPartition TP = new TopicPartition("edges", 0);
    private static final String LMAX = String.valueOf(Long.MAX_VALUE);
    private static final String IMAX = String.valueOf(Integer.MAX_VALUE);
    private static final List<Compression> CODECS = List.of(Compression.NONE, Compression.gzip().build(),
        Compression.snappy().build(), Compression.lz4().build(), Compression.zstd().build());

    /**
     * Values at and around every validator's edges. Segment and index sizes stop at 64 MiB: they are
     * preallocated (sparse), and a few hundred logs of 2 GiB files add nothing the edge values do not cover.
     */
    static final Map<String, List<String>> EDGES = new LinkedHashMap<>();

    static {
        edges("cleanup.policy", "", "delete", "compact", "compact,delete", "delete,delete", "shred");
        edges("compression.gzip.level", "-2", "-1", "0", "1", "9", "10");
        edges("compression.lz4.level", "0", "1", "17", "18");
        edges("compression.type", "producer", "uncompressed", "gzip", "snappy", "lz4", "zstd", "GZIP");
        edges("compression.zstd.level", "-131073", "-131072", "-1", "0", "1", "22", "23");
        edges("delete.retention.ms", "-1", "0", "1", LMAX);
        edges("errors.deadletterqueue.group.enable", "true", "false", "TRUE", "yes");
        edges("file.delete.delay.ms", "-1", "0", "1", LMAX);
        edges("flush.messages", "0", "1", "2", LMAX);
        edges("flush.ms", "-1", "0", "1", LMAX);
        edges("follower.replication.throttled.replicas", "", "*", "0:1,1:2", "*,0:1", "x");
        edges("herald.delivery.delay.enable", "true", "false", "TRUE", "yes");
        edges("herald.message.ttl.ms", "-2", "-1", "0", "1", LMAX);
        edges("index.interval.bytes", "-1", "0", "1", IMAX);
        edges("internal.segment.bytes", String.valueOf(Integer.MIN_VALUE), "-1", "0", "1", "14", "200", "1000",
            String.valueOf(1 << 26));
        edges("leader.replication.throttled.replicas", "", "*", "0:1,1:2", "*,0:1", "x");
        edges("local.retention.bytes", "-3", "-2", "-1", "0", LMAX);
        edges("local.retention.ms", "-3", "-2", "-1", "0", LMAX);
        edges("max.compaction.lag.ms", "0", "1", "2", LMAX);
        edges("max.message.bytes", "-1", "0", "1", "100", IMAX);
        edges("message.timestamp.after.max.ms", "-1", "0", "1", "3600000", LMAX);
        edges("message.timestamp.before.max.ms", "-1", "0", "1", "3600000", LMAX);
        edges("message.timestamp.type", "CreateTime", "LogAppendTime", "createtime");
        edges("min.cleanable.dirty.ratio", "-0.01", "0", "0.5", "1", "1.01");
        edges("min.compaction.lag.ms", "-1", "0", "1", LMAX);
        edges("min.insync.replicas", "0", "1", "2", IMAX);
        edges("preallocate", "true", "false", "yes");
        edges("remote.log.copy.disable", "true", "false");
        edges("remote.log.delete.on.disable", "true", "false");
        edges("remote.storage.enable", "true", "false");
        edges("retention.bytes", String.valueOf(Long.MIN_VALUE), "-1", "0", "1", LMAX);
        edges("retention.ms", "-2", "-1", "0", "1", LMAX);
        edges("segment.bytes", "1048575", "1048576", "1048577", String.valueOf(1 << 26));
        edges("segment.index.bytes", "3", "4", "5", "8", "11", "12", "13", "4096", String.valueOf(1 << 24));
        edges("segment.jitter.ms", "-1", "0", "1", LMAX);
        edges("segment.ms", "0", "1", "2", LMAX);
        edges("unclean.leader.election.enable", "true", "false");
    }

    private static void edges(String name, String... values) {
        EDGES.put(name, List.of(values));
    }

    @Example
    void everyTopicConfigHasEdgeValues() {
        List<String> all = new ArrayList<>(TopicConfigs.keys().keySet());
        all.add("internal.segment.bytes");
        assertThat(EDGES.keySet()).containsExactlyInAnyOrderElementsOf(all);
    }

    @Example
    void everySingleEdgeValueIsRefusedWithAConfigExceptionOrBuildsALogConfig() {
        for (var e : EDGES.entrySet()) {
            for (String value : e.getValue()) {
                try {
                    TopicConfigs.validate(Map.of(e.getKey(), value), Map.of(), Map.of());
                } catch (ConfigException refused) {
                    assertThat(refused.getMessage()).as("%s=%s", e.getKey(), value).contains(e.getKey());
                    continue;
                }
                assertThat(TopicConfigs.toLogConfig(Map.of(e.getKey(), value), Map.of(), Map.of())).isNotNull();
            }
        }
    }

    @Property(tries = 250)
    void everyAcceptedConfigBuildsALogThatAppendsAndReads(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, String> overrides = acceptedOverrides(random);
        LogConfig config = TopicConfigs.toLogConfig(overrides, Map.of(), Map.of());
        Path root = TestDirs.create("config-edges");
        ManualTime time = new ManualTime();
        PartitionLog log = PartitionLog.open(root.resolve("edges-0"), TP, config, time, false, PartitionCheckpoint.NONE);
        Workload workload = new Workload(log, config, time, random, overrides.toString());
        try {
            for (int step = 0; step < 14; step++) {
                workload.step();
            }
            workload.checkContents();
            PartitionCheckpoint checkpoint = log.checkpoint();
            log.close();
            log = PartitionLog.open(root.resolve("edges-0"), TP, config, time, false, checkpoint);
            workload.log = log;
            workload.checkContents();
        } finally {
            log.close();
            TestDirs.delete(root);
        }
    }

    /** A random set of edge values, each kept only if the set stays accepted; refusals must be ConfigExceptions. */
    private static Map<String, String> acceptedOverrides(Random random) {
        List<String> names = new ArrayList<>(EDGES.keySet());
        Map<String, String> overrides = new HashMap<>();
        int wanted = 1 + random.nextInt(8);
        for (int i = 0; i < wanted * 2 && overrides.size() < wanted; i++) {
            String name = names.get(random.nextInt(names.size()));
            List<String> values = EDGES.get(name);
            Map<String, String> candidate = new HashMap<>(overrides);
            candidate.put(name, values.get(random.nextInt(values.size())));
            try {
                TopicConfigs.validate(candidate, Map.of(), Map.of());
                overrides = candidate;
            } catch (ConfigException refused) {
                // expected for the out-of-range edges
            }
        }
        return overrides;
    }

    /** Drives one log and remembers what it acknowledged. */
    private static final class Workload {
        private static final long PRODUCER_ID = 7;
        PartitionLog log;
        private final LogConfig config;
        private final ManualTime time;
        private final Random random;
        private final String description;
        private final List<Rec> acknowledged = new ArrayList<>();
        private final Map<Long, Long> appendTimes = new HashMap<>();
        private final LogCleaner cleaner;
        private int keys;
        private int sequence;

        Workload(PartitionLog log, LogConfig config, ManualTime time, Random random, String description) {
            this.log = log;
            this.config = config;
            this.time = time;
            this.random = random;
            this.description = description;
            this.cleaner = new LogCleaner(time);
        }

        void step() {
            int op = random.nextInt(12);
            if (op < 6) {
                append();
            } else if (op == 6) {
                time.advance(random.nextInt(5_000));
            } else if (op == 7) {
                log.roll();
            } else if (op == 8) {
                log.updateHighWatermark(log.logEndOffset());
                log.deleteOldSegments();
            } else if (op == 9) {
                log.updateHighWatermark(log.logEndOffset());
                cleaner.clean(log);
                cleaner.maybeClean(log);
            } else if (op == 10) {
                log.flush();
            } else {
                checkContents();
            }
        }

        private void append() {
            long now = time.milliseconds();
            List<KV> kvs = new ArrayList<>();
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                long[] stamps = {now, now - 1, now + 1, now - 7_200_000, now + 7_200_000, RecordBatch.NO_TIMESTAMP};
                String key = random.nextInt(12) == 0 ? null : "k" + keys++;
                kvs.add(new KV(key, "v".repeat(random.nextInt(4) == 0 ? 1_500 : random.nextInt(100)),
                    stamps[random.nextInt(stamps.length)]));
            }
            Compression codec = CODECS.get(random.nextInt(CODECS.size()));
            boolean idempotent = random.nextBoolean();
            MemoryRecords batch = idempotent
                ? TestRecords.idempotentBatch(codec, PRODUCER_ID, (short) 0, sequence, kvs)
                : TestRecords.batch(codec, kvs);
            int size = batch.sizeInBytes();
            LogAppendInfo info;
            try {
                info = log.appendAsLeader(batch, 0);
            } catch (RecordTooLargeException e) {
                assertThat(size > config.maxMessageBytes() || config.compression().isPresent())
                    .as("%s: %s", description, e.getMessage()).isTrue();
                return;
            } catch (RecordBatchTooLargeException e) {
                assertThat(config.segmentBytes()).as("%s: %s", description, e.getMessage()).isLessThan(64 * 1024);
                return;
            } catch (InvalidTimestampException e) {
                assertThat(!config.logAppendTime() && kvs.stream().anyMatch(kv -> outOfBounds(kv.timestamp(), now)))
                    .as("%s: %s", description, e.getMessage()).isTrue();
                return;
            } catch (InvalidRecordException e) {
                assertThat(config.compact() && kvs.stream().anyMatch(kv -> kv.key() == null))
                    .as("%s: %s", description, e.getMessage()).isTrue();
                return;
            }
            assertThat(info.duplicate()).isFalse();
            if (idempotent) {
                sequence += n;
            }
            for (int i = 0; i < n; i++) {
                KV kv = kvs.get(i);
                acknowledged.add(new Rec(info.firstOffset() + i, kv.key(), kv.value(), kv.timestamp()));
                appendTimes.put(info.firstOffset() + i, info.logAppendTime());
            }
        }

        private boolean outOfBounds(long ts, long now) {
            return ts != RecordBatch.NO_TIMESTAMP && ((ts < now && now - ts > config.timestampBeforeMaxMs())
                || (ts > now && ts - now > config.timestampAfterMaxMs()));
        }

        void checkContents() {
            long start = log.logStartOffset();
            List<Rec> expected = acknowledged.stream().filter(r -> r.offset() >= start)
                .map(r -> config.logAppendTime() ? new Rec(r.offset(), r.key(), r.value(), appendTimes.get(r.offset()))
                    : r)
                .collect(Collectors.toList());
            assertThat(TestRecords.readAll(log)).as(description).isEqualTo(expected);
            if (start < log.logEndOffset()) {
                for (MutableRecordBatch b : TestRecords.batches(log.read(start, Integer.MAX_VALUE, Long.MAX_VALUE,
                    true).slice())) {
                    config.compression().ifPresent(c -> assertThat(b.compressionType()).as(description)
                        .isEqualTo(c.type()));
                    assertThat(b.isValid()).isTrue();
                }
            }
        }
    }

    @Example
    void anUnknownConfigIsRefusedByName() {
        try {
            LogConfig.from(Map.of("retention.hours", 1));
            fail("accepted an unknown name");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("retention.hours");
        }
    }
}
