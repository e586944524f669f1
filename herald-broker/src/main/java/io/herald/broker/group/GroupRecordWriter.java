package io.herald.broker.group;

import java.util.List;

/**
 * Makes group records durable: appends them to the group's {@code __consumer_offsets} partition. Returns
 * when the append is done (a page-cache write on the coordinator thread); throws the Kafka exception of a
 * failed append, in which case nothing may be applied.
 */
@FunctionalInterface
public interface GroupRecordWriter {
    void append(String groupId, List<GroupRecord> records);
}
