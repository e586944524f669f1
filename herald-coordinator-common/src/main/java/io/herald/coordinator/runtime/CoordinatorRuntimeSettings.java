package io.herald.coordinator.runtime;

import java.util.Objects;

/**
 * @param name               what the runtime coordinates, for thread names and log lines ("group", "transaction")
 * @param topic              the internal topic ({@code __consumer_offsets}), for log lines and error messages
 * @param partitions         how many partitions of it this runtime places state on
 * @param commitTimeoutMs    how long an answer waits for the ISR to commit its records before it fails with
 *                           COORDINATOR_NOT_AVAILABLE ({@code offsets.commit.timeout.ms} for groups)
 * @param loadRetryBackoffMs pause before a failed or not-yet-possible load is tried again
 */
public record CoordinatorRuntimeSettings(String name, String topic, int partitions, long commitTimeoutMs,
                                         long loadRetryBackoffMs) {
    public CoordinatorRuntimeSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topic, "topic");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        if (commitTimeoutMs < 1) {
            throw new IllegalArgumentException("commitTimeoutMs: " + commitTimeoutMs + " (expected: >= 1)");
        }
        if (loadRetryBackoffMs < 0) {
            throw new IllegalArgumentException("loadRetryBackoffMs: " + loadRetryBackoffMs + " (expected: >= 0)");
        }
    }
}
