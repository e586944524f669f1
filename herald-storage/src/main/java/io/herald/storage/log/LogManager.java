package io.herald.storage.log;

import io.herald.common.time.Time;
import io.herald.storage.checkpoint.OffsetCheckpointFile;
import io.herald.storage.cleaner.LogCleaner;
import io.herald.storage.config.LogConfig;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the log dirs and every {@link PartitionLog} in them.
 *
 * <p>On disk, per log dir: one {@code <topic>-<partition>} directory per log, the checkpoint files
 * {@code recovery-point-offset-checkpoint}, {@code log-start-offset-checkpoint},
 * {@code replication-offset-checkpoint}, and {@code .herald_cleanshutdown} while the broker is
 * stopped after a clean shutdown. Startup without the marker recovers every log from its recovery
 * point; the marker is deleted once the logs are loaded, so a crash from then on is unclean.
 *
 * <p>A log dir that cannot be created or read is offline: its logs are not loaded and no new log
 * is placed there; the other dirs keep working (Kafka's JBOD behaviour). A dir also goes offline when an I/O error
 * takes one of its logs offline, or when its usable space falls below {@code herald.log.dir.min.free.bytes}
 * ({@link LogDirHealthConfig}, probed through {@link DiskSpace}): every log in it is closed without a flush and
 * dropped from {@link #log}, {@link #getOrCreateLog} refuses its partitions, and {@link LogDirListener}s hear of it.
 * Every {@code herald.log.dir.recheck.interval.ms} an offline dir is probed (a file written, fsynced and deleted,
 * and the free space); once it passes, its logs are loaded again exactly as after a crash (re-validated from the
 * recovery point, truncated at the first bad byte, indexes rebuilt) and the listeners hear that it is back. Dir
 * transitions run on one dir-health thread ({@link #runDirHealthCheck}), never on the failing thread, which may
 * hold a partition lock.
 *
 * <p>Background tasks (retention, time-based flush, checkpoints, compaction) treat each log on its own: an
 * exception in one log is logged (with its stack trace unless it is a storage error, which has already taken
 * that log offline) and the pass goes on with the next log; a log whose compaction fails is not cleaned again.
 *
 * <p>Thread-safety: thread-safe. Log creation and deletion are serialised by a lock; lookups are
 * lock-free. Background tasks run on one scheduler thread; the {@code run…} methods let tests drive them
 * deterministically.
 */
public final class LogManager implements AutoCloseable {
    public static final String CLEAN_SHUTDOWN_FILE = ".herald_cleanshutdown";
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final List<Path> logDirs;
    private final LogConfig defaults;
    private final Function<String, LogConfig> topicConfigs;
    private final LogManagerConfig managerConfig;
    private final Time time;
    private final FlushStats flushes = new FlushStats();
    private final LogCleaner cleaner;
    private final LogDirHealthConfig healthConfig;
    private final LogDirHealth health;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    /** The partitions whose logs are in an offline dir, with that dir. */
    private final Map<TopicPartition, Path> offlineLogs = new ConcurrentHashMap<>();
    /** Dir failures reported by failing threads, handled on the dir-health thread. */
    private final ConcurrentLinkedQueue<DirFailure> pendingFailures = new ConcurrentLinkedQueue<>();
    private final List<LogDirListener> dirListeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService healthScheduler;
    /** By identity, so that a log deleted and created again is cleaned again. */
    private final Set<PartitionLog> uncleanable = ConcurrentHashMap.newKeySet();
    private final Object createLock = new Object();
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public LogManager(List<Path> logDirs, LogConfig defaults, LogManagerConfig managerConfig, Time time) {
        this(logDirs, defaults, managerConfig, time, topic -> defaults);
    }

    /**
     * @param topicConfigs the config of each topic found on disk at startup (storage does not persist
     *                     topic configs; the broker knows them from metadata). Without it, logs load
     *                     with {@code defaults} until {@link PartitionLog#updateConfig} is called.
     */
    public LogManager(List<Path> logDirs, LogConfig defaults, LogManagerConfig managerConfig, Time time,
                      Function<String, LogConfig> topicConfigs) {
        this(logDirs, defaults, managerConfig, time, topicConfigs, LogDirHealthConfig.defaults(), DiskSpace.FILE_STORE);
    }

    /**
     * @param healthConfig how log dirs are watched and rechecked
     * @param diskSpace    the free-space probe ({@link DiskSpace#FILE_STORE} outside tests)
     */
    public LogManager(List<Path> logDirs, LogConfig defaults, LogManagerConfig managerConfig, Time time,
                      Function<String, LogConfig> topicConfigs, LogDirHealthConfig healthConfig, DiskSpace diskSpace) {
        this.topicConfigs = topicConfigs;
        this.healthConfig = healthConfig;
        this.health = new LogDirHealth(healthConfig, diskSpace);
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("logDirs is empty (expected: at least one dir)");
        }
        this.logDirs = logDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        this.defaults = defaults;
        this.managerConfig = managerConfig;
        this.time = time;
        this.cleaner = new LogCleaner(time);
    }

    public LogConfig defaults() {
        return defaults;
    }

    /** Adds a listener for log dirs going offline and coming back; see {@link LogDirListener}. */
    public void addDirListener(LogDirListener listener) {
        dirListeners.add(listener);
    }

    /** Whether {@code tp}'s log is in an offline dir (then neither {@link #log} nor {@link #getOrCreateLog} serve it). */
    public boolean isOffline(TopicPartition tp) {
        return offlineLogs.containsKey(tp);
    }

    /** The partitions whose logs are in offline dirs. */
    public Set<TopicPartition> offlinePartitions() {
        return Set.copyOf(offlineLogs.keySet());
    }

    /** Whether no log dir is online (a single-dir broker whose disk failed). */
    public boolean allDirsOffline() {
        return logDirs.stream().allMatch(health::isOffline);
    }

    /** The fsyncs of every log of this manager and their time. */
    public FlushStats flushStats() {
        return flushes;
    }

    /** Loads every log (recovering them after an unclean shutdown) and starts the background tasks. */
    public void startup() throws IOException {
        for (Path dir : logDirs) {
            try {
                loadDir(dir);
            } catch (IOException | RuntimeException e) {
                health.markOffline(dir, e.toString(), 0, time.milliseconds());
            }
        }
        if (allDirsOffline()) {
            throw new IOException("no usable log dir among " + logDirs);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-log-scheduler");
            t.setDaemon(true);
            return t;
        });
        // Its own thread: a long compaction pass on the log scheduler must not delay taking a failed dir offline.
        healthScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-log-dir-health");
            t.setDaemon(true);
            return t;
        });
        long healthPeriod = Math.min(healthConfig.freeSpaceCheckIntervalMs(), healthConfig.recheckIntervalMs());
        if (healthConfig.freeSpaceCheckIntervalMs() != Long.MAX_VALUE) {
            healthScheduler.scheduleWithFixedDelay(this::safeDirHealthCheck, healthPeriod, healthPeriod,
                TimeUnit.MILLISECONDS);
        }
        schedule(managerConfig.retentionCheckIntervalMs(), this::runRetention);
        schedule(managerConfig.flushSchedulerIntervalMs(), this::runTimeBasedFlush);
        schedule(managerConfig.flushCheckpointIntervalMs(), this::checkpointAll);
        schedule(managerConfig.cleanerBackoffMs(), this::runCleaner);
    }

    /**
     * Loads every log of {@code dir}; on failure the logs of the dir loaded so far are closed again.
     *
     * @return the partitions loaded
     */
    private Set<TopicPartition> loadDir(Path dir) throws IOException {
        Set<TopicPartition> loaded = new HashSet<>();
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
            boolean clean = Files.exists(marker);
            int partitions = 0;
            Map<TopicPartition, Long> recovery = new OffsetCheckpointFile(dir.resolve(OffsetCheckpointFile.RECOVERY_POINT)).read();
            Map<TopicPartition, Long> starts = new OffsetCheckpointFile(dir.resolve(OffsetCheckpointFile.LOG_START_OFFSET)).read();
            Map<TopicPartition, Long> hws = new OffsetCheckpointFile(dir.resolve(OffsetCheckpointFile.HIGH_WATERMARK)).read();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path logDir : ds) {
                    Optional<TopicPartition> tp = parseTopicPartition(logDir.getFileName().toString());
                    if (tp.isEmpty()) {
                        continue;
                    }
                    PartitionCheckpoint cp = new PartitionCheckpoint(recovery.getOrDefault(tp.get(), 0L),
                        starts.getOrDefault(tp.get(), 0L), hws.getOrDefault(tp.get(), 0L));
                    PartitionLog log = PartitionLog.open(logDir, tp.get(), topicConfigs.apply(tp.get().topic()), time, !clean, cp,
                        flushes);
                    partitions++;
                    PartitionLog previous = logs.putIfAbsent(tp.get(), log);
                    if (previous != null) {
                        log.close();
                        throw new IOException("duplicate log for " + tp.get() + " in " + previous.dir() + " and " + logDir);
                    }
                    loaded.add(tp.get());
                    watch(log, dir);
                }
            }
            Files.deleteIfExists(marker);
            if (partitions == 0) {
                LOG.info("Loaded log dir {} (no partitions yet)", dir); // a new dir has no marker: nothing to recover
            } else {
                LOG.info("Loaded log dir {} ({} partitions, {} shutdown)", dir, partitions,
                        clean ? "clean" : "unclean");
            }
            return loaded;
        } catch (IOException | RuntimeException e) {
            for (TopicPartition tp : loaded) {
                PartitionLog log = logs.remove(tp);
                if (log != null) {
                    log.markOffline();
                    log.close();
                }
            }
            throw e;
        }
    }

    /** An I/O error in {@code log} takes its whole dir offline, on the dir-health thread. */
    private void watch(PartitionLog log, Path dir) {
        log.onStorageFailure(reason -> reportDirFailure(dir, reason));
    }

    private record DirFailure(Path dir, String reason) {}

    /** Queues the dir's failure for the dir-health thread; callable from any thread, never blocks. */
    private void reportDirFailure(Path dir, String reason) {
        pendingFailures.add(new DirFailure(dir, reason));
        ScheduledExecutorService s = healthScheduler;
        if (s != null && !closed) {
            try {
                s.execute(this::safeDirHealthCheck);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // closing
            }
        }
    }

    private void safeDirHealthCheck() {
        try {
            runDirHealthCheck();
        } catch (RuntimeException e) {
            LOG.error("Log dir health check failed: {}", e.toString(), e);
        }
    }

    /**
     * Takes reported failures' dirs offline, takes online dirs below {@code herald.log.dir.min.free.bytes} offline,
     * recovers offline dirs whose recheck is due and that pass it, and logs the periodic summary. The dir-health
     * thread runs it every second and after every reported failure; tests call it directly.
     */
    public synchronized void runDirHealthCheck() {
        if (closed) {
            return;
        }
        for (DirFailure f; (f = pendingFailures.poll()) != null; ) {
            failDir(f.dir(), f.reason());
        }
        long now = time.milliseconds();
        for (Path d : logDirs) {
            if (!health.isOffline(d)) {
                health.freeSpaceProblem(d).ifPresent(reason -> failDir(d, reason));
            } else if (health.recheckDue(d, now)) {
                maybeRecover(d, now);
            }
        }
        health.maybeLogSummary(now);
    }

    /** Closes every log of {@code dir} without flushing and tells the listeners; no-op if already offline. */
    private void failDir(Path dir, String reason) {
        Set<TopicPartition> failed = new HashSet<>();
        synchronized (createLock) {
            List<PartitionLog> inDir = logs.values().stream().filter(l -> l.dir().getParent().equals(dir)).toList();
            boolean newlyOffline = health.markOffline(dir, reason, inDir.size(), time.milliseconds());
            if (!newlyOffline && inDir.isEmpty()) {
                return;
            }
            for (PartitionLog log : inDir) {
                // Offline first, so that close neither fsyncs nor writes a snapshot on a failing disk: the
                // recovery that brings the dir back treats it as a crash.
                log.markOffline();
                log.close();
                logs.remove(log.topicPartition(), log);
                uncleanable.remove(log);
                offlineLogs.put(log.topicPartition(), dir);
                failed.add(log.topicPartition());
            }
        }
        Set<TopicPartition> partitions = Set.copyOf(failed);
        for (LogDirListener l : dirListeners) {
            try {
                l.onLogDirOffline(dir, partitions);
            } catch (RuntimeException e) {
                LOG.error("Log dir listener {} failed on {} going offline", l, dir, e);
            }
        }
    }

    /** The recheck: if {@code dir} is writable and has space, recovers its logs and tells the listeners. */
    private void maybeRecover(Path dir, long now) {
        Optional<String> problem = health.probe(dir);
        if (problem.isPresent()) {
            health.recheckFailed(dir, problem.get(), now);
            return;
        }
        Set<TopicPartition> recovered;
        synchronized (createLock) {
            try {
                recovered = loadDir(dir);
            } catch (IOException | RuntimeException e) {
                health.recheckFailed(dir, "recovery failed: " + e, now);
                return;
            }
            offlineLogs.values().removeIf(dir::equals);
            health.markOnline(dir, recovered.size(), time.milliseconds());
        }
        Set<TopicPartition> partitions = Set.copyOf(recovered);
        for (LogDirListener l : dirListeners) {
            try {
                l.onLogDirOnline(dir, partitions);
            } catch (RuntimeException e) {
                LOG.error("Log dir listener {} failed on {} coming back", l, dir, e);
            }
        }
    }

    /** {@code <topic>-<partition>}; the topic may itself contain dashes. */
    static Optional<TopicPartition> parseTopicPartition(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return Optional.empty();
        }
        String partition = name.substring(dash + 1);
        if (!partition.chars().allMatch(Character::isDigit) || partition.length() > 9) {
            return Optional.empty();
        }
        return Optional.of(new TopicPartition(name.substring(0, dash), Integer.parseInt(partition)));
    }

    private void schedule(long intervalMs, Runnable task) {
        if (intervalMs == Long.MAX_VALUE) {
            return;
        }
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Background log task failed: {}", e.toString(), e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    public Optional<PartitionLog> log(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    /**
     * The existing log, or a new one in the online dir with the fewest partitions.
     *
     * @throws KafkaStorageException when no dir can hold it
     */
    public PartitionLog getOrCreateLog(TopicPartition tp, LogConfig config) {
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            return existing;
        }
        synchronized (createLock) {
            existing = logs.get(tp);
            if (existing != null) {
                return existing;
            }
            Path offlineDir = offlineLogs.get(tp);
            if (offlineDir != null) {
                throw new KafkaStorageException("the log of " + tp + " is in the offline log dir " + offlineDir);
            }
            Map<Path, Integer> counts = new HashMap<>();
            for (Path d : logDirs) {
                counts.put(d, 0);
            }
            for (PartitionLog l : logs.values()) {
                counts.computeIfPresent(l.dir().getParent(), (k, v) -> v + 1);
            }
            List<Path> candidates = new ArrayList<>(logDirs.stream().filter(d -> !health.isOffline(d)).toList());
            candidates.sort(Comparator.comparingInt(counts::get));
            for (Path d : candidates) {
                try {
                    PartitionLog log = PartitionLog.open(d.resolve(tp.topic() + "-" + tp.partition()), tp, config, time, false,
                        PartitionCheckpoint.NONE, flushes);
                    logs.put(tp, log);
                    watch(log, d);
                    LOG.info("Created log for {} in {}", tp, d);
                    return log;
                } catch (IOException | RuntimeException e) {
                    LOG.error("Cannot create log for {} in {}; marking the dir offline: {}", tp, d, e.toString());
                    // At once, so the next candidate is not this dir again; the listeners hear of it on the
                    // dir-health thread.
                    health.markOffline(d, "cannot create a log: " + e, 0, time.milliseconds());
                    reportDirFailure(d, "cannot create a log: " + e);
                }
            }
            throw new KafkaStorageException("no online log dir can hold " + tp + " (dirs: " + logDirs + ")");
        }
    }

    /** Closes and removes the log and its directory; a no-op for an unknown partition. */
    public void deleteLog(TopicPartition tp) {
        synchronized (createLock) {
            offlineLogs.remove(tp);
            PartitionLog log = logs.remove(tp);
            if (log != null) {
                cleaner.forget(tp);
                uncleanable.remove(log);
                log.deleteAll();
            }
        }
    }

    public Collection<PartitionLog> allLogs() {
        return List.copyOf(logs.values());
    }

    public List<LogDirInfo> logDirs() {
        List<LogDirInfo> out = new ArrayList<>();
        for (Path d : logDirs) {
            boolean online = !health.isOffline(d);
            long total = 0;
            long usable = 0;
            if (online) {
                try {
                    FileStore store = Files.getFileStore(d);
                    total = store.getTotalSpace();
                    usable = store.getUsableSpace();
                } catch (IOException e) {
                    online = false;
                }
            }
            out.add(new LogDirInfo(d, online, total, usable));
        }
        return out;
    }

    public Optional<Path> logDirOf(TopicPartition tp) {
        return log(tp).map(l -> l.dir().getParent());
    }

    // ---- background tasks (public so tests and the broker can run them on demand) ----

    /**
     * Applies retention to every log; returns the number of segments deleted. A log that fails is logged and
     * skipped; the other logs go on (see the class comment).
     */
    public int runRetention() {
        int deleted = 0;
        for (PartitionLog log : logs.values()) {
            if (!log.isOffline()) {
                try {
                    deleted += log.deleteOldSegments();
                } catch (RuntimeException e) {
                    logFailure("Retention", log, e);
                }
            }
        }
        return deleted;
    }

    /** Flushes logs whose {@code flush.ms} has elapsed since their last flush; failures as in retention. */
    public void runTimeBasedFlush() {
        long now = time.milliseconds();
        for (PartitionLog log : logs.values()) {
            try {
                if (!log.isOffline() && now - log.lastFlushMs() >= log.config().flushIntervalMs()) {
                    log.flush();
                }
            } catch (RuntimeException e) {
                logFailure("Flush", log, e);
            }
        }
    }

    /**
     * Compacts every log with {@code cleanup.policy=compact} that is due (see {@link LogCleaner}). A log whose
     * cleaning fails is marked uncleanable: logged once, with the stack trace when the failure is unexpected,
     * and left alone from then on (as Kafka's cleaner does), so that it cannot fail every pass again; the other
     * logs go on.
     */
    public void runCleaner() {
        for (PartitionLog log : logs.values()) {
            if (uncleanable.contains(log)) {
                continue;
            }
            try {
                if (!log.isOffline() && log.config().compact()) {
                    cleaner.maybeClean(log);
                }
            } catch (RuntimeException e) {
                uncleanable.add(log);
                logFailure("Compaction", log, e);
                LOG.error("{} is uncleanable from now on; the log itself is still served", log.topicPartition());
            }
        }
    }

    /** The logs the cleaner gave up on after a failure. */
    public Set<TopicPartition> uncleanablePartitions() {
        Set<TopicPartition> out = new HashSet<>();
        uncleanable.forEach(l -> out.add(l.topicPartition()));
        return out;
    }

    /**
     * A storage error has been reported by the log, which is now offline: one line. Anything else is a bug or
     * a corrupt log and is logged with its stack trace.
     */
    private static void logFailure(String task, PartitionLog log, RuntimeException e) {
        if (e instanceof KafkaStorageException) {
            LOG.error("{} failed for {}: {}", task, log.topicPartition(), e.toString());
        } else {
            LOG.error("{} failed for {}; the other logs go on", task, log.topicPartition(), e);
        }
    }

    /** Writes the three checkpoint files of every online dir. */
    public synchronized void checkpointAll() {
        for (Path d : logDirs) {
            if (health.isOffline(d)) {
                continue;
            }
            Map<TopicPartition, Long> recovery = new HashMap<>();
            Map<TopicPartition, Long> starts = new HashMap<>();
            Map<TopicPartition, Long> hws = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (log.dir().getParent().equals(d)) {
                    PartitionCheckpoint cp = log.checkpoint();
                    recovery.put(log.topicPartition(), cp.recoveryPoint());
                    starts.put(log.topicPartition(), cp.logStartOffset());
                    hws.put(log.topicPartition(), cp.highWatermark());
                }
            }
            try {
                new OffsetCheckpointFile(d.resolve(OffsetCheckpointFile.RECOVERY_POINT)).write(recovery);
                new OffsetCheckpointFile(d.resolve(OffsetCheckpointFile.LOG_START_OFFSET)).write(starts);
                new OffsetCheckpointFile(d.resolve(OffsetCheckpointFile.HIGH_WATERMARK)).write(hws);
            } catch (IOException e) {
                LOG.error("Cannot write checkpoints in {}; marking it offline: {}", d, e.toString());
                reportDirFailure(d, "cannot write checkpoints: " + e);
            }
        }
    }

    /** Stops the tasks, closes (flushes) every log, writes checkpoints and the clean-shutdown markers. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (healthScheduler != null) {
            healthScheduler.shutdownNow();
        }
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                    scheduler.shutdownNow();
                }
            } catch (InterruptedException e) {
                scheduler.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        boolean allClean = true;
        for (PartitionLog log : logs.values()) {
            allClean &= !log.isOffline();
            log.close();
        }
        checkpointAll();
        for (Path d : logDirs) {
            if (health.isOffline(d)) {
                continue;
            }
            boolean dirClean = logs.values().stream().noneMatch(l -> l.isOffline() && l.dir().getParent().equals(d));
            if (dirClean) {
                try {
                    Files.createFile(d.resolve(CLEAN_SHUTDOWN_FILE));
                } catch (java.nio.file.FileAlreadyExistsException ignored) {
                    // already marked
                } catch (IOException e) {
                    LOG.error("Cannot write clean-shutdown marker in {}: {}", d, e.toString());
                }
            }
        }
        LOG.info("Log manager closed ({} logs{})", logs.size(), allClean ? "" : ", some offline");
    }
}
