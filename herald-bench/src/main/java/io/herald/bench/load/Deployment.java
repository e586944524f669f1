package io.herald.bench.load;

import java.util.Map;

/**
 * Where a workload runs: on how many brokers, and how its topic is replicated there.
 *
 * @param brokers           broker+controller nodes, each its own JVM; 1 = the single-node runs
 * @param replicationFactor replicas of each partition of the bench topic (at most {@code brokers})
 * @param minInsyncReplicas the topic's {@code min.insync.replicas}: an acks=all write needs that many in-sync
 *                          replicas (at most {@code replicationFactor})
 * @param tls               clients (and the load generator) reach the broker over TLS: one SSL listener with a
 *                          key store made for the run ({@link io.herald.bench.broker.BenchTls}); single broker only
 * @param heraldOpenSsl     with {@code tls}: Herald serves it with Netty's BoringSSL engine
 *                          ({@code herald.ssl.provider=openssl}) instead of the JDK's; Kafka, which has only the JDK's,
 *                          is unchanged
 */
public record Deployment(int brokers, short replicationFactor, int minInsyncReplicas, boolean tls,
                         boolean heraldOpenSsl) {

    /** One broker, topics with one replica: every workload before the replicated ones. */
    public static final Deployment SINGLE_BROKER = new Deployment(1, (short) 1, 1);
    /** Three brokers, every partition on all three, writes survive one broker down: the usual production shape. */
    public static final Deployment THREE_BROKERS_RF3 = new Deployment(3, (short) 3, 2);
    /** One broker whose clients connect over TLS: what encryption costs each broker. */
    public static final Deployment SINGLE_BROKER_TLS = new Deployment(1, (short) 1, 1, true, false);
    /** {@link #SINGLE_BROKER_TLS} with Herald on the OpenSSL (BoringSSL) engine: what the faster engine buys. */
    public static final Deployment SINGLE_BROKER_TLS_OPENSSL = new Deployment(1, (short) 1, 1, true, true);

    /** Over PLAINTEXT. */
    public Deployment(int brokers, short replicationFactor, int minInsyncReplicas) {
        this(brokers, replicationFactor, minInsyncReplicas, false, false);
    }

    public Deployment {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers: " + brokers + " (expected: >= 1)");
        }
        if (replicationFactor < 1 || replicationFactor > brokers) {
            throw new IllegalArgumentException("replicationFactor: " + replicationFactor
                    + " (expected: 1 to brokers = " + brokers + ")");
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("minInsyncReplicas: " + minInsyncReplicas
                    + " (expected: 1 to replicationFactor = " + replicationFactor + ")");
        }
        if (heraldOpenSsl && !tls) {
            throw new IllegalArgumentException("heraldOpenSsl without tls");
        }
        if (tls && brokers > 1) {
            throw new IllegalArgumentException("tls on " + brokers + " brokers (expected: a single broker)");
        }
    }

    /** More than one broker: a cluster that takes longer to start and is left out of {@code --quick}. */
    public boolean isCluster() {
        return brokers > 1;
    }

    /** Configs of the bench topic: none on one broker (the default min.insync.replicas is 1), as before clusters. */
    public Map<String, String> topicConfigs() {
        return minInsyncReplicas == 1 ? Map.of() : Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas));
    }
}
