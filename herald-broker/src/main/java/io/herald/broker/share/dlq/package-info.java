/**
 * Dead-letter topics for share groups (KIP-1191's names), written exactly once: the {@link
 * io.herald.broker.share.DeadLetterQueue} a share-partition hands its rejected and undeliverable records to.
 * {@link io.herald.broker.share.dlq.DeadLetterWriter} resolves the group's topic ({@link
 * io.herald.broker.share.dlq.DeadLetterTopics}), builds one record batch per share-partition batch ({@link
 * io.herald.broker.share.dlq.DeadLetterRecords}) and appends it with acks=all through a {@link
 * io.herald.broker.partition.LeaderLog} (the local replica or a Produce to the leader); {@link
 * io.herald.broker.share.dlq.DeadLetterScan} reads the tail of a dead-letter partition to find which records in
 * doubt already have their copy.
 */
package io.herald.broker.share.dlq;
