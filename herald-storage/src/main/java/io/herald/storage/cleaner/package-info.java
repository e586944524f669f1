/**
 * Log compaction: newest record per key, tombstones expire after {@code delete.retention.ms}; aborted transactions'
 * data is removed and end markers expire once their transaction is empty, as in Kafka.
 */
package io.herald.storage.cleaner;
