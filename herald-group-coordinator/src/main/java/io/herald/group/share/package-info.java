/**
 * Share groups (KIP-932) in the group coordinator: membership by ShareGroupHeartbeat with Kafka's share assignor
 * {@code simple} (members may share a partition), the initialization of each share-partition's state before it is
 * assigned, and the admin APIs (ShareGroupDescribe, DescribeShareGroupOffsets, AlterShareGroupOffsets,
 * DeleteShareGroupOffsets, and share groups in ListGroups, DescribeGroups and DeleteGroups), all as in Kafka 4.3.1.
 *
 * <p>State lives in {@code __consumer_offsets} as {@link io.herald.group.record.ShareGroupRecord}s and changes only
 * by their replay. The share-partitions' own state (start offset, in-flight records) is the share coordinator's,
 * reached through {@link io.herald.coordinator.share.ShareStatePersister}; this package decides what to initialize
 * or delete, the coordinator calls the persister.
 */
package io.herald.group.share;
