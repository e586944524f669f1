package io.herald.cli.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordTemplateTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("trace", b("abc")));
        headers.add(new RecordHeader("empty", null));
        return new ConsumerRecord<>("orders", 2, 17L, 1_700_000_000_000L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, headers,
                Optional.empty(), Optional.of((short) 3));
    }

    @Test
    void replacesEveryTokenAndEscape() {
        RecordTemplate t = RecordTemplate.parse("%t %p %o %k %s %T %h %K %S %D 100%%\\t|\\n");
        assertThat(t.render(record(b("k1"), b("héllo"))))
                .isEqualTo("orders 2 17 k1 héllo 1700000000000 trace=abc,empty 2 6 3 100%\t|\n");
    }

    @Test
    void nullKeyAndValuePrintAsNothingWithLengthMinusOne() {
        assertThat(RecordTemplate.parse("[%k][%s] %K %S").render(record(null, null))).isEqualTo("[][] -1 -1");
    }

    @Test
    void appendsNothingLikeKcat() {
        assertThat(RecordTemplate.parse("%s").render(record(null, b("v")))).isEqualTo("v");
        assertThat(RecordTemplate.VALUE_LINES.render(record(null, b("v")))).isEqualTo("v\n");
    }

    @Test
    void rejectsUnknownTokensEscapesAndTrailingPercent() {
        assertThatThrownBy(() -> RecordTemplate.parse("%x")).hasMessageContaining("unknown token '%x'")
                .hasMessageContaining("%t topic");
        assertThatThrownBy(() -> RecordTemplate.parse("\\q")).hasMessageContaining("unknown escape");
        assertThatThrownBy(() -> RecordTemplate.parse("abc%")).hasMessageContaining("lone '%'");
    }
}
