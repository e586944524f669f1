package io.herald.broker.delay;

import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.delay.DelaySplit.Split;
import io.herald.broker.replica.LeadershipListener;
import io.herald.broker.partition.LeaderLog;
import io.herald.common.concurrent.ThreadFactories;
import io.herald.common.log.RateLimitedWarnings;
import io.herald.common.time.Time;
import io.herald.transaction.ProducerIdGenerator;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.storage.config.TopicConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's delayed delivery: decides at produce which records wait ({@link DelaySplit}), writes them to their
 * partition of the timer log {@value #TOPIC}, and runs a {@link TimerPartition} for every timer partition led
 * here, which appends them to their targets when due.
 *
 * <p>A target partition always schedules into the same timer partition (murmur2 of {@code topic-partition}, as
 * the default partitioner hashes keys), so its delayed records are released in one order: by due time, then
 * produce order.
 *
 * <p>Thread-safety: thread-safe. Leadership and append notices may come from any thread; timer partitions run on
 * one loop thread ({@code herald-delayed}).
 */
public final class DelayedDelivery implements LeadershipListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DelayedDelivery.class);
    public static final String TOPIC = "__herald_delayed";
    /** The topic config (and its broker default of the same name) that turns delays on for a topic. */
    public static final String ENABLE_CONFIG = "herald.delivery.delay.enable";
    static final long WARN_INTERVAL_MS = 60_000;
    /**
     * The directory in a log dir for the timer indexes: not a partition name ({@code <topic>-<digits>}), so the
     * log manager leaves it alone.
     */
    public static final String INDEX_DIR = "herald-timer-index";

    /** Where a target partition's delayed records go now. */
    public sealed interface Placement {
        record Ready(TopicPartition timerPartition, int leader) implements Placement {}

        /** The timer log is not there yet, or its partition has no leader: the produce is retried. */
        record NotReady(Errors error, String reason) implements Placement {}
    }

    private final int localBrokerId;
    private final Supplier<ClusterImage> images;
    private final IntFunction<LeaderLog> logs;
    private final InternalTopicCreator topicCreator;
    private final Map<String, String> staticBrokerConfigs;
    private final Time time;
    private final ScheduledExecutorService loop;
    private final Map<TopicPartition, TimerPartition> led = new ConcurrentHashMap<>();
    private final RateLimitedWarnings warnings;
    private final Path indexRoot;
    private final AtomicLong indexes = new AtomicLong();
    private final ProducerIdGenerator producerIds;

    /**
     * @param logs         a partition's log through the given leader (this broker's replica, or requests to it)
     * @param topicCreator creates {@value #TOPIC} on first use
     * @param producerIds  the cluster's producer ids: each timer partition led here releases its records as the
     *                     idempotent batches of an id of its own
     * @param indexRoot    where the timer partitions led here keep their {@link TimerIndex} files (a directory of
     *                     this broker's, emptied now: the indexes are rebuilt from the timer log)
     */
    public DelayedDelivery(int localBrokerId, Supplier<ClusterImage> images, IntFunction<LeaderLog> logs,
                           InternalTopicCreator topicCreator, ProducerIdGenerator producerIds,
                           Map<String, String> staticBrokerConfigs, Time time, Path indexRoot) {
        this.localBrokerId = localBrokerId;
        this.images = images;
        this.logs = logs;
        this.topicCreator = topicCreator;
        this.producerIds = producerIds;
        this.staticBrokerConfigs = staticBrokerConfigs;
        this.time = time;
        this.loop = Executors.newSingleThreadScheduledExecutor(ThreadFactories.daemon("herald-delayed"));
        this.warnings = new RateLimitedWarnings(log, time, WARN_INTERVAL_MS);
        this.indexRoot = indexRoot;
        deleteTree(indexRoot);
    }

    /** Whether {@code topic} holds back records with a future due time ({@value #ENABLE_CONFIG}). */
    public boolean enabled(ClusterImage image, TopicImage topic) {
        return !topic.name().startsWith("__") && Boolean.parseBoolean(TopicConfigs.resolve(ENABLE_CONFIG,
                topic.configs(), image.brokerConfigs(), staticBrokerConfigs).value());
    }

    /**
     * Splits a produced batch for a delay-enabled topic; delay headers that do not parse are logged (once a
     * minute per topic) and their records appended at once.
     *
     * @return empty when nothing of the batch waits
     */
    public Optional<Split> split(TopicPartition target, MemoryRecords records, Optional<Compression> codec) {
        List<String> bad = new ArrayList<>();
        Optional<Split> split = DelaySplit.split(records, time.milliseconds(), codec, bad);
        if (!bad.isEmpty()) {
            warnings.warn(target.topic(), "Topic " + target.topic() + ": " + bad.size() + " record(s) with a delay "
                    + "header that does not parse were appended at once, e.g. " + bad.get(0));
        }
        return split;
    }

    /** The timer partition for {@code target}'s delayed records, creating the timer log on first use. */
    public Placement placement(ClusterImage image, TopicPartition target) {
        Optional<TopicImage> timer = topicCreator.topicOrCreate(image);
        if (timer.isEmpty()) {
            return new Placement.NotReady(Errors.NOT_ENOUGH_REPLICAS, "the timer log " + TOPIC + " is being created");
        }
        int partitions = timer.get().partitions().size();
        int p = Utils.toPositive(Utils.murmur2(target.toString().getBytes(StandardCharsets.UTF_8)))
                % partitions;
        Optional<PartitionImage> partition = timer.get().partition(p);
        if (partition.isEmpty() || partition.get().leader() < 0) {
            List<Integer> offline = partition.map(pi -> pi.replicas().stream().filter(b -> {
                BrokerImage broker = image.brokers().get(b);
                return broker != null && broker.isOffline(timer.get().topicId(), p);
            }).toList()).orElse(List.of());
            if (!offline.isEmpty()) {
                // Its log dir failed (a full disk, say): the produce is told so, and retried as Kafka's would be.
                return new Placement.NotReady(Errors.KAFKA_STORAGE_ERROR, "timer partition " + TOPIC + "-" + p
                        + " is offline: its log dir failed on broker(s) " + offline);
            }
            return new Placement.NotReady(Errors.NOT_ENOUGH_REPLICAS, "timer partition " + TOPIC + "-" + p
                    + " has no leader");
        }
        return new Placement.Ready(new TopicPartition(TOPIC, p), partition.get().leader());
    }

    /**
     * The timer-log batch that schedules {@code split}'s delayed records for {@code target}.
     *
     * @param transactionOffset for a transactional split, the offset of its kept batch in {@code target} (the
     *                          records wait for that transaction to commit); -1 otherwise
     */
    public MemoryRecords scheduleRecords(TopicPartition target, Split split, long transactionOffset) {
        return TimerRecord.scheduleBatch(target, split, time.milliseconds(), transactionOffset);
    }

    /** Writes a schedule batch to its timer partition (acks=all); completes once the in-sync replicas have it. */
    public CompletableFuture<Void> schedule(Placement.Ready placement, MemoryRecords records) {
        return logs.apply(placement.leader()).append(placement.timerPartition(), records);
    }

    /** Something was appended to a partition here: a timer partition led here catches up. */
    public void onAppend(TopicPartition tp) {
        if (TOPIC.equals(tp.topic())) {
            TimerPartition p = led.get(tp);
            if (p != null) {
                p.poke();
            }
        }
    }

    @Override
    public void onBecomeLeader(TopicPartition tp, int leaderEpoch) {
        if (!TOPIC.equals(tp.topic())) {
            return;
        }
        // Each instance has its own index directory: a predecessor may still be finishing a cycle in its own.
        Path indexDir = indexRoot.resolve(tp.partition() + "." + leaderEpoch + "." + indexes.incrementAndGet());
        TimerPartition p = new TimerPartition(tp, logs.apply(localBrokerId), new MetadataTargets(), producerIds,
                loop, time, indexDir);
        TimerPartition before = led.put(tp, p);
        if (before != null) {
            before.close();
        }
        log.info("Timer partition {} led here (epoch {}): loading, then releasing due records", tp, leaderEpoch);
        p.poke();
    }

    @Override
    public void onResign(TopicPartition tp, int leaderEpoch) {
        TimerPartition p = TOPIC.equals(tp.topic()) ? led.remove(tp) : null;
        if (p != null) {
            p.close();
            log.info("Timer partition {} no longer led here", tp);
        }
    }

    /** Pending delayed records per target topic over the timer partitions led here. */
    public Map<String, Integer> pendingByTopic() {
        Map<String, Integer> all = new HashMap<>();
        led.values().forEach(p -> p.pendingByTopic().forEach((t, n) -> all.merge(t, n, Integer::sum)));
        return all;
    }

    /** Broker status entry: pending delayed records per target topic on the timer partitions led here. */
    public static final String PENDING_STATUS = "herald.delayed.pending.records";
    /** Broker status entry: the earliest due time (epoch ms) pending on the timer partitions led here, -1 if none. */
    public static final String NEXT_DUE_STATUS = "herald.delayed.next.due.ms";

    /**
     * This broker's delayed-delivery state as read-only entries of its configs (Admin {@code describeConfigs} of
     * the broker): {@value #PENDING_STATUS} as {@code topic=count} pairs by topic name, comma-separated, and
     * {@value #NEXT_DUE_STATUS}. A cluster's total is the sum over its brokers, each leading some timer
     * partitions.
     */
    public Map<String, String> statusConfigs() {
        StringBuilder pending = new StringBuilder();
        new TreeMap<>(pendingByTopic()).forEach((topic, n) -> pending.append(pending.isEmpty() ? "" : ",")
                .append(topic).append('=').append(n));
        return Map.of(PENDING_STATUS, pending.toString(), NEXT_DUE_STATUS, Long.toString(nextDueMs()));
    }

    /** The earliest due time pending over the timer partitions led here, -1 when none. */
    public long nextDueMs() {
        return led.values().stream().mapToLong(TimerPartition::nextDueMs).filter(d -> d >= 0).min().orElse(-1);
    }

    /** Target partitions as the latest metadata image shows them. */
    private final class MetadataTargets implements TimerPartition.Targets {
        @Override
        public Optional<LeaderLog> leaderLog(TopicPartition target) {
            return partition(target).filter(p -> p.leader() >= 0).map(p -> logs.apply(p.leader()));
        }

        @Override
        public boolean exists(TopicPartition target) {
            return partition(target).isPresent();
        }

        private Optional<PartitionImage> partition(TopicPartition target) {
            return images.get().topic(target.topic()).flatMap(t -> t.partition(target.partition()));
        }
    }

    @Override
    public void close() {
        led.values().forEach(TimerPartition::close);
        led.clear();
        loop.shutdownNow();
        deleteTree(indexRoot);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("Cannot delete the timer indexes in {}: {}", root, e.toString());
        }
    }

}
