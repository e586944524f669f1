package io.herald.group.record;

/**
 * A record of {@code __consumer_offsets}: the classic group and offset records ({@link GroupRecord}), the
 * KIP-848 consumer group records ({@link ConsumerGroupRecord}) and the KIP-932 share group records
 * ({@link ShareGroupRecord}) share each partition, like in Kafka. Their key types are disjoint, which is how a
 * record read back is told apart ({@link GroupCoordinatorRecordSerde}).
 */
public sealed interface GroupCoordinatorRecord permits GroupRecord, ConsumerGroupRecord, ShareGroupRecord {
    /** The group whose state the record carries: it decides the record's partition. */
    String groupId();
}
