package io.herald.broker.replica.fetcher;

import io.herald.broker.network.BrokerConnection;
import io.herald.broker.network.BrokerEndpoint;
import io.herald.broker.network.InterBrokerSecurity;
import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicationConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import io.herald.common.time.Time;

/**
 * The replica fetcher threads of this broker: {@code num.replica.fetchers} per source (leader) broker, a
 * partition always on the same one of them. A partition moves between threads when its leader changes; a
 * thread left without partitions stops.
 *
 * <p>Thread-safety: thread-safe (this object's monitor); called from the metadata thread.
 */
public final class ReplicaFetcherManager implements AutoCloseable {
    private record FetcherKey(BrokerEndpoint leader, int fetcherId) {}

    private final int localBrokerId;
    private final ReplicationConfig config;
    private final Function<TopicPartition, Optional<Partition>> partitions;
    private final Time time;
    private final InterBrokerSecurity security;
    private final Map<FetcherKey, ReplicaFetcherThread> threads = new HashMap<>();
    private final Map<TopicPartition, FetcherKey> assignment = new HashMap<>();
    private boolean closed;

    public ReplicaFetcherManager(int localBrokerId, ReplicationConfig config,
                                 Function<TopicPartition, Optional<Partition>> partitions, Time time) {
        this(localBrokerId, config, partitions, time, InterBrokerSecurity.PLAINTEXT);
    }

    /** Fetchers whose connections to the leaders are secured as {@code security} says. */
    public ReplicaFetcherManager(int localBrokerId, ReplicationConfig config,
                                 Function<TopicPartition, Optional<Partition>> partitions, Time time,
                                 InterBrokerSecurity security) {
        this.security = security;
        this.localBrokerId = localBrokerId;
        this.config = config;
        this.partitions = partitions;
        this.time = time;
    }

    /** Fetches {@code tp} from {@code leader} in {@code leaderEpoch} (replacing any earlier target). */
    public synchronized void addPartition(TopicPartition tp, Uuid topicId, int leaderEpoch, BrokerEndpoint leader) {
        if (closed) {
            return;
        }
        FetcherKey key = new FetcherKey(leader, Math.floorMod(tp.hashCode(), config.numReplicaFetchers()));
        FetcherKey previous = assignment.get(tp);
        if (previous != null && !previous.equals(key)) {
            removePartitions(Set.of(tp));
        }
        ReplicaFetcherThread thread = threads.computeIfAbsent(key, k -> {
            ReplicaFetcherThread t = new ReplicaFetcherThread("herald-replica-fetcher-" + localBrokerId + "-from-"
                    + k.leader().brokerId() + "-" + k.fetcherId(), localBrokerId, k.leader(), config, partitions, time,
                    security);
            t.start();
            return t;
        });
        thread.addPartition(tp, topicId, leaderEpoch);
        assignment.put(tp, key);
    }

    /** Stops fetching these partitions; when this returns no fetcher writes to them any more. */
    public synchronized void removePartitions(Set<TopicPartition> tps) {
        Set<FetcherKey> touched = new HashSet<>();
        for (TopicPartition tp : tps) {
            FetcherKey key = assignment.remove(tp);
            if (key != null) {
                touched.add(key);
            }
        }
        for (FetcherKey key : touched) {
            ReplicaFetcherThread t = threads.get(key);
            if (t != null) {
                t.removePartitions(tps);
                if (t.partitionCount() == 0) {
                    threads.remove(key);
                    t.shutdown();
                }
            }
        }
    }

    /** The partitions being fetched, with the leader each is fetched from. */
    public synchronized Map<TopicPartition, BrokerEndpoint> fetchedPartitions() {
        Map<TopicPartition, BrokerEndpoint> out = new HashMap<>();
        assignment.forEach((tp, key) -> out.put(tp, key.leader()));
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Iterator<ReplicaFetcherThread> it = threads.values().iterator(); it.hasNext(); ) {
            it.next().shutdown();
            it.remove();
        }
        assignment.clear();
    }
}
