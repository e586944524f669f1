package io.herald.storage.config;

import java.util.List;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The rule Kafka applies to {@code leader.replication.throttled.replicas} and
 * {@code follower.replication.throttled.replicas}: either the single entry {@code *} or entries
 * {@code partitionId:brokerId} (digits only; an empty entry, as after a trailing comma, passes too).
 *
 * <p>Thread-safety: stateless.
 */
final class ThrottledReplicasValidator implements ConfigDef.Validator {
    static final ThrottledReplicasValidator INSTANCE = new ThrottledReplicasValidator();
    private static final Pattern REPLICA = Pattern.compile("([0-9]+:[0-9]+)?");

    private ThrottledReplicasValidator() {
    }

    @Override
    public void ensureValid(String name, Object value) {
        List<?> entries = (List<?>) value;
        if (entries == null || (entries.size() == 1 && "*".equals(entries.get(0)))) {
            return;
        }
        for (Object entry : entries) {
            if (!REPLICA.matcher(String.valueOf(entry).trim()).matches()) {
                throw new ConfigException(name, value, "expected '*' or a comma-separated list of "
                    + "partitionId:brokerId, e.g. 0:101,1:102 (got entry '" + entry + "')");
            }
        }
    }

    @Override
    public String toString() {
        return "'*' or [partitionId]:[brokerId],...";
    }
}
