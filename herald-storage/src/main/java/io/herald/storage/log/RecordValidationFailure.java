package io.herald.storage.log;

import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;

/**
 * A leader append refused because some records of one batch break a per-record rule (KIP-467). The exception
 * classes extend Kafka's {@link InvalidRecordException} and {@link InvalidTimestampException}, so every caller
 * that maps exceptions to error codes answers INVALID_RECORD or INVALID_TIMESTAMP unchanged; the Produce
 * handler also copies {@link #recordErrors()} into the partition's {@code record_errors}, which lets a client
 * fail only the refused records with their own message and the rest with a generic one.
 *
 * <p>Invariants: {@link #recordErrors()} is non-empty, ordered by batch index, and all its entries come from
 * the same batch. Like every validation failure, nothing of the append was written.
 */
public sealed interface RecordValidationFailure permits RecordValidationFailure.InvalidRecords,
    RecordValidationFailure.InvalidTimestamps {

    /** Every refused record of the batch, in batch order. */
    List<RecordError> recordErrors();

    /** How many record errors Kafka quotes in the summary message of an INVALID_RECORD answer. */
    int QUOTED_ERRORS = 3;

    /**
     * The failure for {@code errors}, worded as Kafka 4 words it: INVALID_TIMESTAMP as soon as one record has a
     * bad timestamp (with a fixed message), otherwise INVALID_RECORD with a count and the first three errors.
     *
     * @throws IllegalArgumentException {@code errors} is empty
     */
    static RuntimeException of(List<RecordError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a record validation failure needs at least one record error");
        }
        List<RecordError> copy = List.copyOf(errors);
        if (copy.stream().anyMatch(e -> e.rule() == RecordError.Rule.TIMESTAMP_OUT_OF_RANGE)) {
            return new InvalidTimestamps(copy);
        }
        return new InvalidRecords(copy);
    }

    /** INVALID_RECORD: records that break a rule other than the timestamp bounds (today: a missing key). */
    final class InvalidRecords extends InvalidRecordException implements RecordValidationFailure {
        private final transient List<RecordError> recordErrors;

        private InvalidRecords(List<RecordError> recordErrors) {
            super("One or more records have been rejected due to " + recordErrors.size() + " record errors in "
                + "total, and only showing the first three errors at most: "
                + recordErrors.subList(0, Math.min(recordErrors.size(), QUOTED_ERRORS)));
            this.recordErrors = recordErrors;
        }

        @Override
        public List<RecordError> recordErrors() {
            return recordErrors;
        }
    }

    /** INVALID_TIMESTAMP: at least one record's timestamp is outside the topic's bounds. */
    final class InvalidTimestamps extends InvalidTimestampException implements RecordValidationFailure {
        private final transient List<RecordError> recordErrors;

        private InvalidTimestamps(List<RecordError> recordErrors) {
            super("One or more records have been rejected due to invalid timestamp");
            this.recordErrors = recordErrors;
        }

        @Override
        public List<RecordError> recordErrors() {
            return recordErrors;
        }
    }
}
