/**
 * The share coordinator (KIP-932): the durable state of every share-partition in {@code __share_group_state}, served
 * by the Initialize/Read/Write/Delete/ReadSummary ShareGroupState RPCs through {@link io.herald.share.ShareCoordinator}.
 * The records and their format are in {@code io.herald.share.record}, the state, its replay and the merge of state
 * batches in {@code io.herald.share.state}. The rules are Kafka 4.3's, checked against Kafka's own shard by a
 * differential test.
 */
package io.herald.share;
