package io.herald.broker.group;

import java.util.List;
import java.util.function.Consumer;

/**
 * The coordinator's narrow view of {@code __consumer_offsets}: append records to a partition, replay a
 * partition from its start.
 */
public interface GroupLog {
    /** Whether the partition is hosted here and can be read and appended. */
    boolean isAvailable(int partition);

    /** Appends the records as one batch; throws the Kafka exception of a failed append. */
    void append(int partition, List<GroupRecord> records);

    /** Feeds every record of the partition, oldest first, to {@code replay}; returns how many. */
    long replay(int partition, Consumer<GroupRecord> replay);
}
