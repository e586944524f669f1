/**
 * The port through which share-partition state (KIP-932) is persisted: a share-partition leader reads and writes it,
 * the group coordinator initializes, summarizes and deletes it for the admin APIs, and the broker implements it by
 * calling the share coordinator that owns the key (this broker's own, or another's by the Initialize/Read/Write/
 * Delete/ReadSummary ShareGroupState RPCs). Shapes follow those RPCs.
 */
package io.herald.coordinator.share;
