package io.herald.broker.replica;

import io.herald.storage.config.TopicConfigs;
import io.herald.common.concurrent.ThreadFactories;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.timer.Timer;
import io.herald.broker.network.BrokerEndpoint;
import io.herald.broker.network.InterBrokerSecurity;
import io.herald.broker.replica.fetcher.ReplicaFetcherManager;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.api.MetadataPublisher;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.storage.config.LogConfig;
import io.herald.metadata.image.ReplicaKey;
import io.herald.storage.log.LogDirListener;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.KafkaStorageException;
import io.herald.common.time.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, kept in step with the metadata image, and their replication.
 *
 * <p>From each image: a partition assigned to this node gets a log; if this node is its leader it becomes leader
 * of that epoch ({@link Partition#makeLeader}); otherwise it follows, and the replica fetcher for the leader's
 * broker fetches it (no fetching while the leader is -1 or its address unknown); a partition removed from this
 * node (topic deleted, replica moved) stops being fetched and loses its log. {@link LeadershipListener}s hear of
 * every change of leadership after the partition's role changed.
 *
 * <p>Leaders: a periodic task (every {@code replica.lag.time.max.ms / 2}) drops lagging followers from the ISR;
 * ISR changes go to the controller through the {@link AlterPartitionChannel}. acks=all produces wait in the
 * produce purgatory ({@link #producePurgatory()}), which is re-checked whenever a HW rises or a role changes;
 * DeleteRecords requests wait in the delete-records purgatory ({@link #deleteRecordsPurgatory()}), re-checked
 * when a follower reports a new log start offset, a role changes or a broker is fenced or unfenced.
 *
 * <p>A replica whose log is in an offline log dir ({@link LogDirListener}) stops being served: its partition is
 * removed here (leaderships resigned, fetching stopped) but its log is kept, it is skipped by every image while the
 * dir is offline, and the set of such replicas is published to {@link #addOfflineReplicasListener listeners} (the
 * node reports it to the controller, which moves leaderships away and takes this broker out of their ISRs). When
 * the dir is back, the recovered logs are served again as the image says, normally as followers that catch up and
 * rejoin the ISR. A replica whose log cannot be created because no log dir is online counts as offline too.
 *
 * <p>Each partition directory holds {@code partition.metadata} with its topic id (as Kafka does), so a
 * directory left by a deleted topic of the same name is recognised and removed rather than served.
 *
 * <p>Thread-safety: {@link #onImage} runs on the controller's thread (serialized by this object's monitor);
 * lookups are lock-free reads of a concurrent map from any thread.
 */
public final class ReplicaManager implements MetadataPublisher.Listener, LogDirListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);
    private static final String PARTITION_METADATA = "partition.metadata";

    private final int nodeId;
    private final LogManager logManager;
    private final Map<String, String> staticBrokerConfigs;
    private final ReplicationConfig config;
    private final Time time;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final List<Consumer<TopicPartition>> appendListeners = new CopyOnWriteArrayList<>();
    private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Set<ReplicaKey>>> offlineListeners = new CopyOnWriteArrayList<>();
    /** Replicas assigned here whose log is unusable (offline dir, or no online dir to create it in). */
    private final Set<TopicPartition> offline = ConcurrentHashMap.newKeySet();
    private final Purgatory<TopicPartition> producePurgatory;
    private final Purgatory<TopicPartition> deleteRecordsPurgatory;
    private final ScheduledExecutorService scheduler;
    private final ReplicaFetcherManager fetchers;
    private final Partition.Context partitionContext;
    private volatile ClusterImage image;

    /**
     * @param staticBrokerConfigs the broker's static configs, which topic configs fall back to
     * @param timer the node's shared timer, for the deadlines of parked produces and DeleteRecords; not closed
     *     here
     */
    public ReplicaManager(int nodeId, LogManager logManager, ReplicationConfig config,
                          Map<String, String> staticBrokerConfigs, AlterPartitionChannel alterPartition, Time time,
                          Timer timer) {
        this(nodeId, logManager, config, staticBrokerConfigs, alterPartition, time, timer,
                InterBrokerSecurity.PLAINTEXT);
    }

    /** As above, with the replica fetchers' connections to leaders secured as {@code security} says. */
    public ReplicaManager(int nodeId, LogManager logManager, ReplicationConfig config,
                          Map<String, String> staticBrokerConfigs, AlterPartitionChannel alterPartition, Time time,
                          Timer timer, InterBrokerSecurity security) {
        this.nodeId = nodeId;
        this.logManager = logManager;
        this.staticBrokerConfigs = Map.copyOf(staticBrokerConfigs);
        this.config = config;
        this.time = time;
        this.producePurgatory = new Purgatory<>("produce", timer);
        this.deleteRecordsPurgatory = new Purgatory<>("delete-records", timer);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                ThreadFactories.single("herald-replica-manager-" + nodeId));
        this.partitionContext = new Partition.Context(nodeId, time, config, alterPartition, scheduler,
                this::onHighWatermarkOrRoleChange, this::isBrokerAlive, deleteRecordsPurgatory::checkAndComplete,
                this::isReplicaOffline);
        this.fetchers = new ReplicaFetcherManager(nodeId, config, this::partition, time, security);
        long period = Math.max(1, config.replicaLagTimeMaxMs() / 2);
        scheduler.scheduleWithFixedDelay(this::safeShrinkIsr, period, period, TimeUnit.MILLISECONDS);
    }

    public int nodeId() {
        return nodeId;
    }

    public ReplicationConfig replicationConfig() {
        return config;
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /** Whether this broker's replica of {@code tp} is offline because of its log dir (KAFKA_STORAGE_ERROR). */
    public boolean isOffline(TopicPartition tp) {
        return offline.contains(tp);
    }

    /**
     * Told the complete set of this broker's offline replicas whenever it may have changed (and once at startup),
     * on the metadata or the log-dir-health thread.
     */
    public void addOfflineReplicasListener(Consumer<Set<ReplicaKey>> listener) {
        offlineListeners.add(listener);
    }

    public Collection<Partition> partitions() {
        return partitions.values();
    }

    /** Where acks=all produce requests wait for their high watermarks; keys are partitions. */
    public Purgatory<TopicPartition> producePurgatory() {
        return producePurgatory;
    }

    /** Where DeleteRecords requests wait for their low watermarks; keys are partitions. */
    public Purgatory<TopicPartition> deleteRecordsPurgatory() {
        return deleteRecordsPurgatory;
    }

    /** The partitions being fetched from a leader (follower role), with that leader. */
    public Map<TopicPartition, BrokerEndpoint> fetchedPartitions() {
        return fetchers.fetchedPartitions();
    }

    /** Told after every successful append, on the appending thread (wakes parked fetches). */
    public void addAppendListener(Consumer<TopicPartition> listener) {
        appendListeners.add(listener);
    }

    public void onAppend(TopicPartition tp) {
        for (Consumer<TopicPartition> listener : appendListeners) {
            listener.accept(tp);
        }
    }

    /**
     * Adds a listener for leadership changes. It is told at once (on this thread) about every partition this
     * broker leads now, so registering after startup misses nothing; later changes arrive on the metadata thread.
     */
    public synchronized void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
        for (Partition p : partitions.values()) {
            if (p.isLeader()) {
                listener.onBecomeLeader(p.topicPartition(), p.leaderEpoch());
            }
        }
    }

    /**
     * The effective storage config of a topic under the given image. Never fails: a stored value that cannot be
     * served is logged and replaced by its default (see {@link TopicConfigs#logConfigOrDefaults}).
     */
    public LogConfig logConfig(ClusterImage image, TopicImage topic) {
        return TopicConfigs.logConfigOrDefaults(topic.name(), topic.configs(), image.brokerConfigs(),
                staticBrokerConfigs);
    }

    /** The topic's effective {@code min.insync.replicas} (topic override, broker default, 1). */
    public int minInsyncReplicas(ClusterImage image, TopicImage topic) {
        return Integer.parseInt(TopicConfigs.resolve(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, topic.configs(),
                image.brokerConfigs(), staticBrokerConfigs).value());
    }

    /** Brings hosted partitions in line with the image; at startup, also drops logs the image no longer has. */
    public synchronized void startup(ClusterImage image) {
        onImage(ClusterImage.empty(image.clusterId()), image);
        for (PartitionLog orphan : new ArrayList<>(logManager.allLogs())) {
            if (!partitions.containsKey(orphan.topicPartition())) {
                log.info("Deleting log {}: its topic no longer exists", orphan.topicPartition());
                logManager.deleteLog(orphan.topicPartition());
            }
        }
    }

    @Override
    public synchronized void onImage(ClusterImage previous, ClusterImage current) {
        this.image = current;
        for (TopicImage topic : previous.topics().values()) {
            Optional<TopicImage> now = current.topic(topic.name());
            if (now.isEmpty() || !now.get().topicId().equals(topic.topicId())) {
                removeTopic(topic);
            }
        }
        Set<TopicPartition> assigned = new HashSet<>();
        for (TopicImage topic : current.topics().values()) {
            LogConfig config = logConfig(current, topic);
            for (PartitionImage p : topic.partitions().values()) {
                if (p.replicas().contains(nodeId)) {
                    TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                    assigned.add(tp);
                    applyPartition(topic, p, config, current);
                }
            }
        }
        for (Partition p : new ArrayList<>(partitions.values())) {
            TopicPartition tp = p.topicPartition();
            if (!assigned.contains(tp) && current.topic(tp.topic()).isPresent()) {
                log.info("Removing replica {}: this broker is no longer one of its replicas", tp);
                removePartition(tp);
            }
        }
        offline.retainAll(assigned);
        if (!previous.brokers().equals(current.brokers())) {
            // A broker fenced or unfenced changes which followers count for the low watermark.
            partitions.keySet().forEach(deleteRecordsPurgatory::checkAndComplete);
        }
        publishOffline();
    }

    /** The dir's partitions stop being served here; their logs stay for the dir's recovery. */
    @Override
    public synchronized void onLogDirOffline(Path dir, Set<TopicPartition> failed) {
        int leading = 0;
        for (TopicPartition tp : failed) {
            offline.add(tp);
            fetchers.removePartitions(Set.of(tp));
            Partition removed = partitions.remove(tp);
            if (removed != null) {
                int epoch = removed.leaderEpoch();
                if (removed.markRemoved()) {
                    leading++;
                    leadershipListeners.forEach(l -> l.onResign(tp, epoch));
                }
            }
        }
        log.warn("Log dir {} failed: {} replicas offline on broker {} ({} of them led here); reporting them to the "
                + "controller", dir, failed.size(), nodeId, leading);
        publishOffline();
    }

    /** The dir's recovered logs are served again as the current image says; logs of deleted topics go. */
    @Override
    public synchronized void onLogDirOnline(Path dir, Set<TopicPartition> recovered) {
        ClusterImage current = image;
        offline.removeAll(recovered);
        if (current != null) {
            onImage(ClusterImage.empty(current.clusterId()), current); // also retries replicas that had no dir
        }
        for (TopicPartition tp : recovered) {
            if (!partitions.containsKey(tp) && !offline.contains(tp)) {
                log.info("Deleting recovered log {}: this broker no longer hosts it", tp);
                logManager.deleteLog(tp);
            }
        }
        log.info("Log dir {} is back: {} replicas served again on broker {}", dir, recovered.size(), nodeId);
        publishOffline();
    }

    private void publishOffline() {
        ClusterImage current = image;
        if (current == null || offlineListeners.isEmpty()) {
            return;
        }
        Set<ReplicaKey> keys = new HashSet<>();
        for (TopicPartition tp : offline) {
            current.topic(tp.topic()).ifPresent(t -> keys.add(new ReplicaKey(t.topicId(), tp.partition())));
        }
        Set<ReplicaKey> snapshot = Set.copyOf(keys);
        offlineListeners.forEach(l -> l.accept(snapshot));
    }

    /**
     * One partition's share of an image. A failure is confined to that partition: logged with its stack trace,
     * and the rest of the image is still applied (the partition is retried with the next image).
     */
    private void applyPartition(TopicImage topic, PartitionImage p, LogConfig config, ClusterImage current) {
        TopicPartition tp = new TopicPartition(topic.name(), p.partition());
        if (logManager.isOffline(tp)) {
            offline.add(tp); // its dir failed: nothing to serve until the dir is back
            return;
        }
        try {
            Partition partition = ensurePartition(topic, p, config);
            offline.remove(tp);
            applyRole(partition, topic, p, current);
        } catch (KafkaStorageException e) {
            if (offline.add(tp)) {
                log.warn("Replica {} cannot be hosted on broker {}: {}", tp, nodeId, e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("Cannot apply metadata to partition {}-{}; the other partitions go on", topic.name(),
                    p.partition(), e);
        }
    }

    private void applyRole(Partition partition, TopicImage topic, PartitionImage image, ClusterImage cluster) {
        TopicPartition tp = partition.topicPartition();
        if (image.leader() == nodeId) {
            fetchers.removePartitions(Set.of(tp));
            if (partition.makeLeader(image)) {
                leadershipListeners.forEach(l -> l.onBecomeLeader(tp, image.leaderEpoch()));
            }
            return;
        }
        int epochBefore = partition.leaderEpoch();
        int leaderBefore = partition.leaderId();
        boolean resigned = partition.makeFollower(image);
        if (resigned) {
            fetchers.removePartitions(Set.of(tp));
            leadershipListeners.forEach(l -> l.onResign(tp, image.leaderEpoch()));
        }
        Optional<BrokerImage> leader = image.leader() < 0 ? Optional.empty()
                : Optional.ofNullable(cluster.brokers().get(image.leader()));
        if (leader.isEmpty()) {
            fetchers.removePartitions(Set.of(tp));
            return;
        }
        BrokerEndpoint endpoint = new BrokerEndpoint(leader.get().brokerId(), leader.get().host(),
                leader.get().port());
        boolean retarget = resigned || epochBefore != partition.leaderEpoch() || leaderBefore != image.leader()
                || !endpoint.equals(fetchers.fetchedPartitions().get(tp));
        if (retarget && partition.leaderEpoch() == image.leaderEpoch()) {
            fetchers.addPartition(tp, topic.topicId(), image.leaderEpoch(), endpoint);
        }
    }

    private Partition ensurePartition(TopicImage topic, PartitionImage image, LogConfig config) {
        TopicPartition tp = new TopicPartition(topic.name(), image.partition());
        Partition existing = partitions.get(tp);
        if (existing != null) {
            if (!existing.log().config().equals(config)) {
                existing.log().updateConfig(config);
            }
            return existing;
        }
        Optional<PartitionLog> loaded = logManager.log(tp);
        if (loaded.isPresent() && !topic.topicId().equals(readTopicId(loaded.get().dir()).orElse(topic.topicId()))) {
            log.info("Deleting log {}: it belongs to an earlier topic of the same name", tp);
            logManager.deleteLog(tp);
            loaded = Optional.empty();
        }
        PartitionLog partitionLog = loaded.orElseGet(() -> logManager.getOrCreateLog(tp, config));
        if (!partitionLog.config().equals(config)) {
            partitionLog.updateConfig(config);
        }
        writeTopicId(partitionLog.dir(), topic.topicId());
        Partition partition = new Partition(tp, topic.topicId(), partitionLog, partitionContext);
        partitions.put(tp, partition);
        return partition;
    }

    private void removeTopic(TopicImage topic) {
        for (int p : topic.partitions().keySet()) {
            removePartition(new TopicPartition(topic.name(), p));
        }
        log.info("Deleted topic {} ({})", topic.name(), topic.topicId());
    }

    private void removePartition(TopicPartition tp) {
        try {
            fetchers.removePartitions(Set.of(tp));
            Partition removed = partitions.remove(tp);
            if (removed != null) {
                int epoch = removed.leaderEpoch();
                if (removed.markRemoved()) {
                    leadershipListeners.forEach(l -> l.onResign(tp, epoch));
                }
                logManager.deleteLog(tp);
            }
        } catch (RuntimeException e) {
            // As in applyPartition: one partition's failure must not stop the rest of the image.
            log.error("Cannot remove partition {}; the other partitions go on", tp, e);
        }
    }

    /** Runs the ISR check of every led partition now (the periodic task calls this). */
    public void maybeShrinkIsr() {
        for (Partition p : partitions.values()) {
            p.maybeShrinkIsr();
        }
    }

    private void safeShrinkIsr() {
        try {
            maybeShrinkIsr();
        } catch (RuntimeException e) {
            log.warn("ISR check failed", e);
        }
    }

    /** Registered and not fenced in the current image (Kafka's "alive" for the low watermark). */
    private boolean isBrokerAlive(int brokerId) {
        ClusterImage current = image;
        BrokerImage broker = current == null ? null : current.brokers().get(brokerId);
        return broker != null && !broker.fenced();
    }

    /** Whether the broker reported its replica of the partition offline, in the current image. */
    private boolean isReplicaOffline(int brokerId, Uuid topicId, int partition) {
        ClusterImage current = image;
        BrokerImage broker = current == null ? null : current.brokers().get(brokerId);
        return broker != null && broker.isOffline(topicId, partition);
    }

        private void onHighWatermarkOrRoleChange(TopicPartition tp) {
        producePurgatory.checkAndComplete(tp);
        deleteRecordsPurgatory.checkAndComplete(tp); // a resigned leader answers NOT_LEADER_OR_FOLLOWER
        onAppend(tp); // consumers read below the HW: a rising HW is new data to them
    }

    /** Stops the fetchers and the ISR task, and answers every parked produce and DeleteRecords request. */
    @Override
    public void close() {
        fetchers.close();
        scheduler.shutdownNow();
        producePurgatory.close();
        deleteRecordsPurgatory.close();
    }

    private static Optional<Uuid> readTopicId(Path dir) {
        Path file = dir.resolve(PARTITION_METADATA);
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("topic_id:")) {
                    return Optional.of(Uuid.fromString(line.substring("topic_id:".length()).trim()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void writeTopicId(Path dir, Uuid topicId) {
        Path file = dir.resolve(PARTITION_METADATA);
        try {
            if (readTopicId(dir).filter(topicId::equals).isEmpty()) {
                Path tmp = dir.resolve(PARTITION_METADATA + ".tmp");
                Files.writeString(tmp, "version: 0\ntopic_id: " + topicId + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            log.warn("Could not write {}: {}", file, e.toString());
        }
    }
}
