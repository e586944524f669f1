package io.herald.broker.replica.fetcher;

import io.herald.broker.network.BrokerConnection;
import io.herald.broker.network.BrokerEndpoint;
import io.herald.broker.network.InterBrokerSecurity;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicationConfig;
import io.herald.storage.epoch.EpochEndOffset;
import io.herald.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import io.herald.common.time.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the partitions this broker follows from one leader broker and appends what it gets, keeping the
 * leader's offsets and epochs (Kafka's replica fetcher, with fetch-based truncation, KIP-320).
 *
 * <p>Each round sends one Fetch (v17, with this broker's id in the replica state) for every partition not backing
 * off, at the local log end offset and with the epoch of the last local batch. Per partition:
 * <ul>
 *   <li>records: appended as follower; HW = min(leader HW, own log end offset); log start follows the leader's;</li>
 *   <li>diverging epoch: truncate to where the leader says that epoch ends (or to where our own history of it
 *       ends, if shorter), then fetch again;</li>
 *   <li>OFFSET_OUT_OF_RANGE: ask the leader's log end offset (ListOffsets as a replica); truncate to it if we are
 *       ahead, else restart the log at the leader's log start offset if we are below it;</li>
 *   <li>FENCED_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH, other errors: back off
 *       {@code replica.fetch.backoff.ms} and wait for newer metadata.</li>
 * </ul>
 * Connection errors back off every partition and reconnect; nothing but {@link #shutdown()} ends the thread.
 *
 * <p>Thread-safety: partitions are added and removed from the metadata thread under {@code partitionMapLock},
 * which the fetcher also holds while it applies a response; so once {@link #removePartitions} returns, this
 * thread writes nothing more to those partitions.
 */
final class ReplicaFetcherThread extends Thread {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherThread.class);
    static final short FETCH_VERSION = 17;
    private static final short LIST_OFFSETS_VERSION = 7;

    /** A followed partition: the epoch it follows in, and when it may be fetched again after an error. */
    private record FetchState(Uuid topicId, int leaderEpoch, long delayedUntilMs) {}

    /** What was asked for a partition in the request in flight. */
    private record Asked(TopicPartition tp, FetchState state, PartitionLog log, long fetchOffset) {}

    private final int localBrokerId;
    private final ReplicationConfig config;
    private final Function<TopicPartition, Optional<Partition>> partitions;
    private final Time time;
    private final BrokerConnection client;
    private final ReentrantLock partitionMapLock = new ReentrantLock();
    private final Condition changed = partitionMapLock.newCondition();
    private final Map<TopicPartition, FetchState> fetchStates = new LinkedHashMap<>();
    private volatile boolean running = true;
    private boolean connectionWarned;

    ReplicaFetcherThread(String name, int localBrokerId, BrokerEndpoint leader, ReplicationConfig config,
                         Function<TopicPartition, Optional<Partition>> partitions, Time time,
                         InterBrokerSecurity security) {
        super(name);
        setDaemon(true);
        this.localBrokerId = localBrokerId;
        this.config = config;
        this.partitions = partitions;
        this.time = time;
        this.client = new BrokerConnection(leader, "herald-replica-fetcher-" + localBrokerId, config.socketTimeoutMs(),
                security);
    }

    BrokerEndpoint leader() {
        return client.endpoint();
    }

    /** Starts (or restarts, with a new epoch) fetching {@code tp}, at once. */
    void addPartition(TopicPartition tp, Uuid topicId, int leaderEpoch) {
        partitionMapLock.lock();
        try {
            fetchStates.put(tp, new FetchState(topicId, leaderEpoch, 0));
            changed.signalAll();
        } finally {
            partitionMapLock.unlock();
        }
    }

    /** Stops fetching; when this returns, no response is being applied to these partitions. */
    void removePartitions(Set<TopicPartition> tps) {
        partitionMapLock.lock();
        try {
            fetchStates.keySet().removeAll(tps);
        } finally {
            partitionMapLock.unlock();
        }
    }

    Set<TopicPartition> partitions() {
        partitionMapLock.lock();
        try {
            return Set.copyOf(fetchStates.keySet());
        } finally {
            partitionMapLock.unlock();
        }
    }

    int partitionCount() {
        partitionMapLock.lock();
        try {
            return fetchStates.size();
        } finally {
            partitionMapLock.unlock();
        }
    }

    /** Stops the thread and closes its connection; waits for it (bounded). */
    void shutdown() {
        running = false;
        client.close();
        interrupt();
        try {
            join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        log.info("Replica fetcher {} started, fetching from leader {}", getName(), client.endpoint());
        while (running) {
            try {
                doWork();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                log.warn("Replica fetcher {}: unexpected error; backing off", getName(), t);
                pause(config.fetchBackoffMs());
            }
        }
        client.close();
        log.info("Replica fetcher {} stopped", getName());
    }

    private void doWork() throws InterruptedException {
        List<Asked> asked = new ArrayList<>();
        partitionMapLock.lock();
        try {
            long now = time.milliseconds();
            long nextReady = Long.MAX_VALUE;
            for (Map.Entry<TopicPartition, FetchState> e : fetchStates.entrySet()) {
                FetchState s = e.getValue();
                if (s.delayedUntilMs() > now) {
                    nextReady = Math.min(nextReady, s.delayedUntilMs());
                    continue;
                }
                Optional<Partition> p = partitions.apply(e.getKey());
                if (p.isPresent()) {
                    PartitionLog plog = p.get().log();
                    asked.add(new Asked(e.getKey(), s, plog, plog.logEndOffset()));
                }
            }
            if (asked.isEmpty()) {
                long wait = nextReady == Long.MAX_VALUE ? config.fetchBackoffMs() : nextReady - now;
                changed.await(Math.max(1, Math.min(wait, config.fetchBackoffMs())), TimeUnit.MILLISECONDS);
                return;
            }
        } finally {
            partitionMapLock.unlock();
        }
        FetchResponse response;
        try {
            response = (FetchResponse) client.send(fetchRequest(asked),
                    config.socketTimeoutMs() + config.fetchWaitMaxMs());
            if (connectionWarned) {
                log.info("Replica fetcher {}: connected to leader {} again", getName(), client.endpoint());
                connectionWarned = false;
            }
        } catch (IOException e) {
            if (!running) {
                return;
            }
            if (!connectionWarned) {
                log.warn("Replica fetcher {}: fetch from leader {} failed ({}); retrying every {} ms", getName(),
                        client.endpoint(), e.toString(), config.fetchBackoffMs());
                connectionWarned = true;
            }
            delay(asked.stream().map(Asked::tp).toList());
            return;
        }
        Errors topLevel = Errors.forCode(response.data().errorCode());
        if (topLevel != Errors.NONE) {
            log.warn("Replica fetcher {}: leader {} answered {}", getName(), client.endpoint(), topLevel);
            delay(asked.stream().map(Asked::tp).toList());
            return;
        }
        Map<Uuid, Map<Integer, FetchResponseData.PartitionData>> byId = new HashMap<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.data().responses()) {
            Map<Integer, FetchResponseData.PartitionData> parts = byId.computeIfAbsent(topic.topicId(),
                    id -> new HashMap<>());
            for (FetchResponseData.PartitionData pd : topic.partitions()) {
                parts.put(pd.partitionIndex(), pd);
            }
        }
        partitionMapLock.lock();
        try {
            for (Asked a : asked) {
                FetchResponseData.PartitionData pd = byId.getOrDefault(a.state().topicId(), Map.of())
                        .get(a.tp().partition());
                FetchState current = fetchStates.get(a.tp());
                Optional<Partition> partition = partitions.apply(a.tp());
                if (pd == null || current == null || current.leaderEpoch() != a.state().leaderEpoch()
                        || partition.isEmpty() || partition.get().log().logEndOffset() != a.fetchOffset()) {
                    continue; // removed, re-targeted or truncated while the fetch was in flight
                }
                try {
                    handlePartition(a, partition.get(), pd);
                } catch (RuntimeException e) {
                    log.warn("Replica fetcher {}: handling {} failed ({}); backing off", getName(), a.tp(),
                            e.toString());
                    delayLocked(a.tp());
                }
            }
        } finally {
            partitionMapLock.unlock();
        }
    }

    private FetchRequest fetchRequest(List<Asked> asked) {
        Map<Uuid, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
        for (Asked a : asked) {
            PartitionLog plog = a.log();
            int maxBytes = Math.min(config.fetchMaxBytes(), plog.config().segmentBytes());
            topics.computeIfAbsent(a.state().topicId(), id -> new FetchRequestData.FetchTopic().setTopicId(id)
                    .setTopic(a.tp().topic())).partitions().add(new FetchRequestData.FetchPartition()
                    .setPartition(a.tp().partition())
                    .setCurrentLeaderEpoch(a.state().leaderEpoch())
                    .setFetchOffset(a.fetchOffset())
                    .setLastFetchedEpoch(plog.latestEpoch())
                    .setLogStartOffset(plog.logStartOffset())
                    .setPartitionMaxBytes(maxBytes));
        }
        FetchRequestData data = new FetchRequestData()
                .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(localBrokerId).setReplicaEpoch(-1))
                .setMaxWaitMs(config.fetchWaitMaxMs())
                .setMinBytes(config.fetchMinBytes())
                .setMaxBytes(config.fetchResponseMaxBytes())
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(new ArrayList<>(topics.values()));
        return new FetchRequest(data, FETCH_VERSION);
    }

    private void handlePartition(Asked a, Partition partition, FetchResponseData.PartitionData pd) {
        Errors error = Errors.forCode(pd.errorCode());
        int epoch = a.state().leaderEpoch();
        switch (error) {
            case NONE -> {
                FetchResponseData.EpochEndOffset diverging = pd.divergingEpoch();
                if (diverging.epoch() >= 0 && diverging.endOffset() >= 0) {
                    truncateOnDivergence(partition, diverging.epoch(), diverging.endOffset(), epoch);
                    return;
                }
                MemoryRecords records = wholeBatches(pd);
                if (records.sizeInBytes() > 0) {
                    partition.appendAsFollower(records, epoch);
                }
                partition.updateFollowerHighWatermark(pd.highWatermark());
                partition.maybeIncrementLogStartOffset(pd.logStartOffset());
            }
            case OFFSET_OUT_OF_RANGE -> handleOutOfRange(a, partition, epoch);
            default -> {
                log.info("Replica fetcher {}: {} from leader {}: {}; backing off until newer metadata or {} ms",
                        getName(), a.tp(), client.endpoint(), error, config.fetchBackoffMs());
                delayLocked(a.tp());
            }
        }
    }

    /**
     * The leader says our history diverges after its epoch {@code leaderEpoch} ended at {@code leaderEndOffset}.
     * Truncate to the earlier of that and where our own copy of that epoch ends (Kafka's rule); when we do not
     * know that epoch, to where our largest older epoch ends, and the next fetch narrows it further.
     */
    private void truncateOnDivergence(Partition partition, int leaderEpoch, long leaderEndOffset, int fetchEpoch) {
        long leo = partition.log().logEndOffset();
        EpochEndOffset local = partition.epochEndOffset(leaderEpoch);
        long target;
        if (local.epoch() < 0 || local.endOffset() < 0) {
            target = Math.min(leaderEndOffset, leo);
        } else if (local.epoch() != leaderEpoch) {
            target = Math.min(local.endOffset(), leo);
        } else {
            target = Math.min(Math.min(local.endOffset(), leaderEndOffset), leo);
        }
        log.info("Replica fetcher {}: {} diverges from leader {} after epoch {} ending at {}; truncating from {} to {}",
                getName(), partition.topicPartition(), client.endpoint(), leaderEpoch, leaderEndOffset, leo, target);
        partition.truncateTo(target, fetchEpoch);
    }

    /** Kafka's out-of-range recovery: truncate to the leader's end if ahead, restart at its start if behind. */
    private void handleOutOfRange(Asked a, Partition partition, int epoch) {
        long localEnd = partition.log().logEndOffset();
        long leaderEnd;
        try {
            leaderEnd = listOffset(a.tp(), epoch, ListOffsetsRequest.LATEST_TIMESTAMP);
            if (leaderEnd < localEnd) {
                log.info("Replica fetcher {}: {} is ahead of leader {} (log end {} > {}); truncating", getName(),
                        a.tp(), client.endpoint(), localEnd, leaderEnd);
                partition.truncateTo(leaderEnd, epoch);
                return;
            }
            long leaderStart = listOffset(a.tp(), epoch, ListOffsetsRequest.EARLIEST_TIMESTAMP);
            if (leaderStart > localEnd) {
                log.info("Replica fetcher {}: {} log end {} is below leader {}'s log start {}; restarting the log",
                        getName(), a.tp(), localEnd, client.endpoint(), leaderStart);
                partition.truncateFullyAndStartAt(leaderStart, epoch);
                return;
            }
            log.info("Replica fetcher {}: {} out of range at {} (leader log {}..{}); backing off", getName(), a.tp(),
                    localEnd, leaderStart, leaderEnd);
            delayLocked(a.tp());
        } catch (IOException | RuntimeException e) {
            log.info("Replica fetcher {}: resolving out-of-range {} failed ({}); backing off", getName(), a.tp(),
                    e.toString());
            delayLocked(a.tp());
        }
    }

    private long listOffset(TopicPartition tp, int epoch, long timestamp) throws IOException {
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forReplica(LIST_OFFSETS_VERSION, localBrokerId)
                .setTargetTimes(List.of(new ListOffsetsTopic().setName(tp.topic()).setPartitions(List.of(
                        new ListOffsetsPartition().setPartitionIndex(tp.partition()).setCurrentLeaderEpoch(epoch)
                                .setTimestamp(timestamp)))))
                .build(LIST_OFFSETS_VERSION);
        ListOffsetsResponse response = (ListOffsetsResponse) client.send(request, config.socketTimeoutMs());
        for (ListOffsetsResponseData.ListOffsetsTopicResponse t : response.data().topics()) {
            for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : t.partitions()) {
                if (t.name().equals(tp.topic()) && p.partitionIndex() == tp.partition()) {
                    Errors error = Errors.forCode(p.errorCode());
                    if (error != Errors.NONE) {
                        throw error.exception();
                    }
                    return p.offset();
                }
            }
        }
        throw new IOException("ListOffsets answer from " + client.endpoint() + " lacks " + tp);
    }

    /** The response's records without a trailing partial batch (a leader may cut one at the byte limit). */
    private static MemoryRecords wholeBatches(FetchResponseData.PartitionData pd) {
        if (!(pd.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            return MemoryRecords.EMPTY;
        }
        int valid = records.validBytes();
        if (valid == records.sizeInBytes()) {
            return records;
        }
        ByteBuffer buf = records.buffer().duplicate();
        buf.limit(buf.position() + valid);
        return MemoryRecords.readableRecords(buf.slice());
    }

    private void delay(List<TopicPartition> tps) {
        partitionMapLock.lock();
        try {
            tps.forEach(this::delayLocked);
        } finally {
            partitionMapLock.unlock();
        }
    }

    private void delayLocked(TopicPartition tp) {
        FetchState s = fetchStates.get(tp);
        if (s != null) {
            fetchStates.put(tp, new FetchState(s.topicId(), s.leaderEpoch(),
                    time.milliseconds() + config.fetchBackoffMs()));
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
