package io.herald.cli.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LineFormatTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void splitsAtTheFirstSeparatorOnly() {
        LineFormat format = new LineFormat(Optional.of(b("::")));
        LineFormat.KeyValue kv = format.split(b("k::v::w")).orElseThrow();
        assertThat(s(kv.key())).isEqualTo("k");
        assertThat(s(kv.value())).isEqualTo("v::w");
        assertThat(s(format.split(b("::v")).orElseThrow().key())).isEmpty();
    }

    @Test
    void aLineWithoutTheSeparatorHasNoSplit() {
        assertThat(new LineFormat(Optional.of(b(":"))).split(b("novalue"))).isEmpty();
    }

    @Test
    void withoutASeparatorTheWholeLineIsTheValue() {
        LineFormat.KeyValue kv = new LineFormat(Optional.empty()).split(b("a:b")).orElseThrow();
        assertThat(kv.key()).isNull();
        assertThat(s(kv.value())).isEqualTo("a:b");
    }

    @Test
    void refusesAnEmptySeparator() {
        assertThatThrownBy(() -> new LineFormat(Optional.of(new byte[0]))).hasMessageContaining("must not be empty");
    }
}
