package io.herald.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.common.time.ManualTime;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.RecordError.Rule;
import io.herald.storage.testutil.TestRecords.KV;
import io.herald.storage.testutil.TestRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-record errors of a leader append (KIP-467): every refused record of a batch is named by its index, with
 * Kafka 4.3.1's wording, and nothing of the append is written.
 *
 * <p>Reference, observed on Kafka 4.3.1 with a raw Produce v11 of one five-record batch (uncompressed and lz4
 * alike) to partition {@code T-0}:
 * <ul>
 *   <li>compacted topic, record 2 keyless: INVALID_RECORD, {@code error_message} "One or more records have been
 *       rejected due to 1 record errors in total, and only showing the first three errors at most:
 *       [RecordError(batchIndex=2, message='Compacted topic cannot accept message without key in topic partition
 *       T-0')]", one record error (2, "Compacted topic cannot accept message without key in topic partition
 *       T-0"); with records 1..4 keyless the message counts 4 and quotes 1, 2, 3, and {@code record_errors}
 *       has all four;</li>
 *   <li>{@code message.timestamp.before.max.ms=3600000}, record 2 two hours old: INVALID_TIMESTAMP,
 *       "One or more records have been rejected due to invalid timestamp", record error (2, "Timestamp TS of
 *       message with offset 2 is out of range. The timestamp should be within [now-3600000, now+3600000]");
 *       the same for record 2 two hours ahead with {@code message.timestamp.after.max.ms=3600000} (lower bound
 *       printed as {@code now - Long.MAX_VALUE});</li>
 *   <li>compacted topic with the backward bound, record 1 keyless and record 3 too old: INVALID_TIMESTAMP with
 *       both record errors; a record both keyless and too old is reported for its key only;</li>
 *   <li>the log end offset does not move in any of these.</li>
 * </ul>
 */
class RecordErrorsTest {
    private static final TopicPartition TP = new TopicPartition("rules", 0);
    private static final long NOW = 1_700_000_000_000L;
    private static final long HOUR = 3_600_000L;
    private static final String NO_KEY = "Compacted topic cannot accept message without key in topic partition rules-0";

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(NOW);
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private void open(Map<String, ?> overrides) throws Exception {
        log = PartitionLog.open(root.resolve("rules-0"), TP, LogConfig.from(overrides), time, false,
            PartitionCheckpoint.NONE);
    }

    static List<Compression> codecs() {
        return List.of(Compression.NONE, Compression.lz4().build(), Compression.gzip().build());
    }

    private static MemoryRecords five(Compression codec, IntFunction<KV> record) {
        List<KV> kvs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            kvs.add(record.apply(i));
        }
        return TestRecords.batch(codec, kvs);
    }

    private static KV keyless(int i, Set<Integer> without) {
        return new KV(without.contains(i) ? null : "k" + i, "v" + i, NOW);
    }

    private RecordValidationFailure refuse(MemoryRecords records) {
        Throwable thrown = catchThrowable(() -> log.appendAsLeader(records, 0));
        assertThat(thrown).isInstanceOf(RecordValidationFailure.class);
        assertThat(log.logEndOffset()).as("nothing of a refused append is written").isZero();
        return (RecordValidationFailure) thrown;
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aKeylessRecordOnACompactedTopicIsNamedByItsIndex(Compression codec) throws Exception {
        open(Map.of("cleanup.policy", "compact"));
        RecordValidationFailure failure = refuse(five(codec, i -> keyless(i, Set.of(2))));

        assertThat(failure).isInstanceOf(InvalidRecordException.class);
        assertThat(Errors.forException((Throwable) failure)).isEqualTo(Errors.INVALID_RECORD);
        assertThat(failure.recordErrors()).containsExactly(new RecordError(2, Rule.KEY_REQUIRED, NO_KEY));
        assertThat(((Throwable) failure).getMessage()).isEqualTo("One or more records have been rejected due to 1 "
            + "record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=2, "
            + "message='" + NO_KEY + "')]");
    }

    @Test
    void theMessageQuotesTheFirstThreeRecordErrorsAndTheFieldHasAll() throws Exception {
        open(Map.of("cleanup.policy", "compact"));
        RecordValidationFailure failure = refuse(five(Compression.gzip().build(), i -> keyless(i, Set.of(1, 2, 3, 4))));

        assertThat(failure.recordErrors()).extracting(RecordError::batchIndex).containsExactly(1, 2, 3, 4);
        String quoted = "RecordError(batchIndex=%d, message='" + NO_KEY + "')";
        assertThat(((Throwable) failure).getMessage()).isEqualTo("One or more records have been rejected due to 4 "
            + "record errors in total, and only showing the first three errors at most: ["
            + quoted.formatted(1) + ", " + quoted.formatted(2) + ", " + quoted.formatted(3) + "]");
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aTooOldRecordIsNamedWithTheBoundsKafkaPrints(Compression codec) throws Exception {
        open(Map.of("message.timestamp.before.max.ms", HOUR));
        long old = NOW - 2 * HOUR;
        RecordValidationFailure failure = refuse(five(codec, i -> new KV("k" + i, "v", i == 2 ? old : NOW)));

        assertThat(failure).isInstanceOf(InvalidTimestampException.class);
        assertThat(((Throwable) failure).getMessage())
            .isEqualTo("One or more records have been rejected due to invalid timestamp");
        assertThat(failure.recordErrors()).containsExactly(new RecordError(2, Rule.TIMESTAMP_OUT_OF_RANGE,
            "Timestamp " + old + " of message with offset 2 is out of range. The timestamp should be within ["
                + (NOW - HOUR) + ", " + (NOW + HOUR) + "]"));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void aTooNewRecordIsNamedEvenWhenOnlyTheHeaderIsCheckedFirst(Compression codec) throws Exception {
        open(Map.of("message.timestamp.after.max.ms", HOUR));
        long ahead = NOW + 2 * HOUR;
        RecordValidationFailure failure = refuse(five(codec, i -> new KV("k" + i, "v", i == 2 ? ahead : NOW)));

        assertThat(failure).isInstanceOf(InvalidTimestampException.class);
        assertThat(failure.recordErrors()).containsExactly(new RecordError(2, Rule.TIMESTAMP_OUT_OF_RANGE,
            "Timestamp " + ahead + " of message with offset 2 is out of range. The timestamp should be within ["
                + (NOW - Long.MAX_VALUE) + ", " + (NOW + HOUR) + "]"));
    }

    @Test
    void aBadTimestampAnywhereMakesTheBatchInvalidTimestampAndAKeylessRecordIsReportedForItsKeyOnly()
        throws Exception {
        open(Map.of("cleanup.policy", "compact", "message.timestamp.before.max.ms", HOUR));
        long old = NOW - 2 * HOUR;
        RecordValidationFailure mixed = refuse(five(Compression.NONE,
            i -> new KV(i == 1 ? null : "k" + i, "v", i == 3 ? old : NOW)));
        assertThat(mixed).isInstanceOf(InvalidTimestampException.class);
        assertThat(mixed.recordErrors()).extracting(RecordError::batchIndex, RecordError::rule)
            .containsExactly(tuple(1, Rule.KEY_REQUIRED),
                tuple(3, Rule.TIMESTAMP_OUT_OF_RANGE));

        RecordValidationFailure keysOnly = refuse(five(Compression.NONE,
            i -> new KV(i == 1 || i == 3 ? null : "k" + i, "v", i == 1 ? old : NOW)));
        assertThat(keysOnly).isInstanceOf(InvalidRecordException.class);
        assertThat(keysOnly.recordErrors()).extracting(RecordError::rule).containsOnly(Rule.KEY_REQUIRED);
    }

    @Test
    void indexesCountFromTheRefusedBatchAndTheBatchesBeforeItAreNotWrittenEither() throws Exception {
        open(Map.of("cleanup.policy", "compact"));
        MemoryRecords good = five(Compression.NONE, i -> keyless(i, Set.of()));
        MemoryRecords bad = five(Compression.lz4().build(), i -> keyless(i, Set.of(0)));

        RecordValidationFailure failure = refuse(TestRecords.concat(good, bad));
        assertThat(failure.recordErrors()).extracting(RecordError::batchIndex).containsExactly(0);
    }

    @Test
    void aRecordErrorNeedsAnIndexFromZero() {
        assertThat(catchThrowable(() -> new RecordError(-1, Rule.KEY_REQUIRED, "x")))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("batchIndex: -1 (expected: >= 0)");
        assertThat(catchThrowable(() -> RecordValidationFailure.of(List.of())))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
