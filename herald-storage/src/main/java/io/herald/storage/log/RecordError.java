package io.herald.storage.log;

import java.util.Objects;

/**
 * One record of a batch that a leader refuses (KIP-467): its index within the batch (0 for the first record,
 * whatever the batch's base offset), the rule it breaks and the message the producer sees for it in the Produce
 * response's {@code record_errors}.
 *
 * @param batchIndex the record's position in its batch, {@code >= 0}
 * @param rule       the broken rule, which decides the partition's error code ({@link RecordValidationFailure#of})
 * @param message    Kafka's wording for the rule, shown to the producer for this record only
 */
public record RecordError(int batchIndex, Rule rule, String message) {
    /** The per-record rules of a leader append; each maps to the Kafka error the partition answers. */
    public enum Rule {
        /** A record without key on a compacted topic: INVALID_RECORD. */
        KEY_REQUIRED,
        /** A CreateTime timestamp outside {@code message.timestamp.before/after.max.ms}: INVALID_TIMESTAMP. */
        TIMESTAMP_OUT_OF_RANGE
    }

    public RecordError {
        if (batchIndex < 0) {
            throw new IllegalArgumentException("batchIndex: " + batchIndex + " (expected: >= 0)");
        }
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    /** As Kafka prints a record error inside the partition's {@code error_message}. */
    @Override
    public String toString() {
        return "RecordError(batchIndex=" + batchIndex + ", message='" + message + "')";
    }
}
