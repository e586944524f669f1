package io.herald.broker.ttl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/** The TTL rules: expiry time, the header, the minimum rule, and which records of a batch have expired. */
class MessageTtlRulesTest {
    private static final long NOW = 1_000_000;

    @Test
    void aRecordExpiresAtItsTimestampPlusItsTtlAndAHugeTtlNeverOverflows() {
        assertThat(MessageTtl.expired(NOW - 100, 100, NOW)).isTrue();
        assertThat(MessageTtl.expired(NOW - 99, 100, NOW)).isFalse();
        assertThat(MessageTtl.expiresAt(NOW, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(MessageTtl.expired(NOW, Long.MAX_VALUE, Long.MAX_VALUE - 1)).isFalse();
    }

    @Test
    void theHeaderIsDecimalTextAndTheSmallerTtlWins() {
        assertThat(MessageTtl.headerTtl(headers("250"))).hasValue(250);
        assertThat(MessageTtl.headerTtl(headers(" 250 "))).hasValue(250);
        assertThat(MessageTtl.headerTtl(headers("-5"))).isEmpty();
        assertThat(MessageTtl.headerTtl(headers("soon"))).isEmpty();
        assertThat(MessageTtl.headerTtl(new Header[] {new RecordHeader(MessageTtl.HEADER, null)})).isEmpty();
        assertThat(MessageTtl.headerTtl(new Header[0])).isEmpty();
        assertThat(MessageTtl.effective(1000, OptionalLong.of(250))).isEqualTo(250);
        assertThat(MessageTtl.effective(100, OptionalLong.of(250))).isEqualTo(100);
        assertThat(MessageTtl.effective(100, OptionalLong.empty())).isEqualTo(100);
    }

    @Test
    void offsetsMergeAndAreFound() {
        ExpiredOffsets set = new ExpiredOffsets.Builder().add(3, 4).add(5, 5).add(9, 12).build();
        assertThat(set).hasToString("ExpiredOffsets[3-5, 9-12]");
        assertThat(set.contains(2)).isFalse();
        assertThat(set.contains(3)).isTrue();
        assertThat(set.contains(5)).isTrue();
        assertThat(set.contains(6)).isFalse();
        assertThat(set.contains(12)).isTrue();
        assertThat(set.contains(13)).isFalse();
        assertThat(new ExpiredOffsets.Builder().build().isEmpty()).isTrue();
        assertThatThrownBy(() -> new ExpiredOffsets.Builder().add(5, 6).add(6, 7))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchPastTheTopicTtlExpiresWholeOthersRecordByRecord() throws Exception {
        for (Compression codec : new Compression[] {Compression.NONE, Compression.lz4().build()}) {
            MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1024), codec,
                    TimestampType.CREATE_TIME, 10);
            b.append(NOW - 5000, null, "old".getBytes(StandardCharsets.UTF_8));                 // topic TTL passed
            b.append(NOW - 500, null, "short".getBytes(StandardCharsets.UTF_8), headers("100")); // header passed
            b.append(NOW - 500, null, "long".getBytes(StandardCharsets.UTF_8), headers("99999")); // topic applies
            b.append(NOW, null, "fresh".getBytes(StandardCharsets.UTF_8));
            MemoryRecords records = b.build();
            RecordBatch batch = records.batches().iterator().next();

            ExpiredOffsets.Builder out = new ExpiredOffsets.Builder();
            ExpiredRecords.add(out, 10, 13, batch.maxTimestamp(), false, 1000, NOW, records::buffer);
            assertThat(out.build()).as(codec.toString()).hasToString("ExpiredOffsets[10-11]");

            ExpiredOffsets.Builder whole = new ExpiredOffsets.Builder();
            ExpiredRecords.add(whole, 10, 13, batch.maxTimestamp(), false, 1000, NOW + 1000, () -> {
                throw new AssertionError("a batch expired by its header is not read");
            });
            assertThat(whole.build()).hasToString("ExpiredOffsets[10-13]");

            ExpiredOffsets.Builder control = new ExpiredOffsets.Builder();
            ExpiredRecords.add(control, 10, 13, batch.maxTimestamp(), true, 0, NOW + 1000, records::buffer);
            assertThat(control.build().isEmpty()).isTrue();
        }
    }

    private static Header[] headers(String ttl) {
        return new Header[] {new RecordHeader(MessageTtl.HEADER, ttl.getBytes(StandardCharsets.UTF_8))};
    }
}
