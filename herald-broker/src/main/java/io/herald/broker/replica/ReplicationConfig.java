package io.herald.broker.replica;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The replication configs, by Kafka's names and defaults, read from the broker's static configs.
 *
 * @param replicaLagTimeMaxMs   a follower that has not caught up for this long leaves the ISR
 * @param fetchMaxBytes         bytes a follower asks for per partition ({@code replica.fetch.max.bytes})
 * @param fetchResponseMaxBytes bytes a follower asks for per fetch ({@code replica.fetch.response.max.bytes})
 * @param fetchWaitMaxMs        how long the leader may hold a follower's fetch for data
 * @param fetchMinBytes         bytes the leader waits for before answering a follower's fetch
 * @param fetchBackoffMs        pause after a failed fetch (connection error, partition error)
 * @param numReplicaFetchers    fetcher threads per source broker
 * @param socketTimeoutMs       a follower's request to its leader fails after this long without an answer
 */
public record ReplicationConfig(long replicaLagTimeMaxMs, int fetchMaxBytes, int fetchResponseMaxBytes,
                                int fetchWaitMaxMs, int fetchMinBytes, long fetchBackoffMs, int numReplicaFetchers,
                                int socketTimeoutMs) {
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";

    private static final ConfigDef DEF = new ConfigDef()
            .define(REPLICA_LAG_TIME_MAX_MS, Type.LONG, 30000L, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "A follower that has not caught up for this long is removed from the ISR.")
            .define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1048576, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Bytes fetched per partition by a follower.")
            .define(REPLICA_FETCH_RESPONSE_MAX_BYTES, Type.INT, 10485760, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, "Bytes fetched per request by a follower.")
            .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Longest wait of a follower fetch for data.")
            .define(REPLICA_FETCH_MIN_BYTES, Type.INT, 1, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Bytes a follower fetch waits for.")
            .define(REPLICA_FETCH_BACKOFF_MS, Type.INT, 1000, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Pause after a fetch error.")
            .define(NUM_REPLICA_FETCHERS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "Fetcher threads per source broker.")
            .define(REPLICA_SOCKET_TIMEOUT_MS, Type.INT, 30000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Socket timeout of follower requests.");

    /** Kafka's defaults. */
    public static ReplicationConfig defaults() {
        return from(Map.of());
    }

    /** Reads the replication configs out of the broker's static configs (other names are ignored). */
    public static ReplicationConfig from(Map<String, String> brokerConfigs) {
        Map<String, String> mine = new java.util.HashMap<>();
        for (String name : DEF.names()) {
            if (brokerConfigs.containsKey(name)) {
                mine.put(name, brokerConfigs.get(name));
            }
        }
        Map<String, Object> v = DEF.parse(mine);
        return new ReplicationConfig((Long) v.get(REPLICA_LAG_TIME_MAX_MS), (Integer) v.get(REPLICA_FETCH_MAX_BYTES),
                (Integer) v.get(REPLICA_FETCH_RESPONSE_MAX_BYTES), (Integer) v.get(REPLICA_FETCH_WAIT_MAX_MS),
                (Integer) v.get(REPLICA_FETCH_MIN_BYTES), (Integer) v.get(REPLICA_FETCH_BACKOFF_MS),
                (Integer) v.get(NUM_REPLICA_FETCHERS), (Integer) v.get(REPLICA_SOCKET_TIMEOUT_MS));
    }

    /** The names this record reads (so the broker can tell they are used). */
    public static java.util.Set<String> names() {
        return DEF.names();
    }
}
