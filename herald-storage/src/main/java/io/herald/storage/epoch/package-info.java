/** The leader-epoch cache behind OffsetForLeaderEpoch and follower truncation. */
package io.herald.storage.epoch;
