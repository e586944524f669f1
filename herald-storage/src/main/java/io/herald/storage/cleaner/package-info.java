/** Log compaction: newest record per key, tombstones expire after {@code delete.retention.ms}. */
package io.herald.storage.cleaner;
