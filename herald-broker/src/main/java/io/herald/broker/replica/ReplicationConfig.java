package io.herald.broker.replica;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
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

    /** The replica manager's share of the broker configs, with Kafka's names, defaults and ranges. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
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
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /**
     * From values parsed with a definition that includes {@link #CONFIG_DEF}.
     *
     * @throws ConfigException if {@code replica.fetch.wait.max.ms} exceeds {@code replica.lag.time.max.ms}:
     *     followers would drop out of the ISR while their fetches wait (Kafka refuses it too)
     */
    public static ReplicationConfig from(ConfigValues v) {
        ReplicationConfig c = new ReplicationConfig(v.getLong(REPLICA_LAG_TIME_MAX_MS), v.getInt(REPLICA_FETCH_MAX_BYTES),
                v.getInt(REPLICA_FETCH_RESPONSE_MAX_BYTES), v.getInt(REPLICA_FETCH_WAIT_MAX_MS),
                v.getInt(REPLICA_FETCH_MIN_BYTES), v.getInt(REPLICA_FETCH_BACKOFF_MS),
                v.getInt(NUM_REPLICA_FETCHERS), v.getInt(REPLICA_SOCKET_TIMEOUT_MS));
        if (c.fetchWaitMaxMs() > c.replicaLagTimeMaxMs()) {
            throw new ConfigException(REPLICA_FETCH_WAIT_MAX_MS, c.fetchWaitMaxMs(), "must be at most "
                    + REPLICA_LAG_TIME_MAX_MS + " (" + c.replicaLagTimeMaxMs() + "), or followers drop out of the ISR "
                    + "while waiting");
        }
        return c;
    }
}
