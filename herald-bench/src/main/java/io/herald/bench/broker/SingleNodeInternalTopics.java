package io.herald.bench.broker;

import java.util.Collections;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * The internal topics' replication on a single node, given to both brokers alike. Kafka's defaults (3 replicas,
 * min.insync.replicas 2) cannot be met by one broker: Kafka cannot create {@code __consumer_offsets} or
 * {@code __transaction_state} (or {@code __share_group_state}), so groups, transactions and share groups never find
 * a coordinator. Herald caps an internal topic's replication factor at the live brokers (its own rule), but gets
 * the same values anyway, so that neither broker runs on a setting the other does not. Cluster nodes keep the
 * defaults.
 */
final class SingleNodeInternalTopics {

    static final Map<String, String> CONFIGS = sorted(Map.of(
            "offsets.topic.replication.factor", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1"));

    private SingleNodeInternalTopics() {
    }

    /** As lines of a {@code server.properties} file, each ending with a newline. */
    static String asProperties() {
        StringBuilder lines = new StringBuilder();
        CONFIGS.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        return lines.toString();
    }

    private static SequencedMap<String, String> sorted(Map<String, String> configs) {
        return Collections.unmodifiableSequencedMap(new TreeMap<>(configs));
    }
}
