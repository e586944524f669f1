package io.herald.storage.log;

import java.nio.file.Path;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Hears when a log dir goes offline and when it is back (the broker takes the partitions out of service and
 * tells the controller, KIP-858). Called on the log manager's dir-health thread, one call at a time, in the order
 * the transitions happened; must not block on the log manager's own locks.
 */
public interface LogDirListener {

    /** The dir failed; {@code partitions}' logs were in it and are closed now. */
    void onLogDirOffline(Path dir, Set<TopicPartition> partitions);

    /** The dir is usable again; {@code partitions}' logs were recovered and are served by {@link LogManager#log}. */
    void onLogDirOnline(Path dir, Set<TopicPartition> partitions);
}
