package io.herald.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.KeyValueCodec.Decoded;
import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.ShortRange;
import org.junit.jupiter.api.Test;

class KeyValueCodecTest {
    private static final RecordType COUNTER = new RecordType(3, "counter", (short) 1);
    private static final RecordType LABEL = new RecordType(4, "label");
    private static final KeyValueCodec SKIPPING = new KeyValueCodec(
            RecordFormat.of("test log", TypeIdWidth.INT16, UnknownTypes.SKIP, COUNTER, LABEL));
    private static final KeyValueCodec REJECTING = new KeyValueCodec(
            RecordFormat.of("test log", TypeIdWidth.INT16, UnknownTypes.REJECT, COUNTER, LABEL));

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    @Test
    void theKeyStartsWithTheTypeIdAndTheValueWithTheTypesVersion() {
        byte[] key = SKIPPING.key(COUNTER, w -> w.string("g"));
        byte[] value = SKIPPING.value(COUNTER, w -> w.int32(7));

        assertThat(key).containsExactly(0, 3, 0, 1, 'g');
        assertThat(value).containsExactly(0, 1, 0, 0, 0, 7);
        Decoded d = SKIPPING.decode(wrap(key), wrap(value)).orElseThrow();
        assertThat(d.type()).isEqualTo(COUNTER);
        assertThat(d.key().string()).isEqualTo("g");
        assertThat(d.value().orElseThrow().version()).isEqualTo((short) 1);
        assertThat(d.value().orElseThrow().fields().int32()).isEqualTo(7);
    }

    @Test
    void aNullValueIsATombstone() {
        Decoded d = SKIPPING.decode(wrap(SKIPPING.key(LABEL, w -> w.string("g"))), null).orElseThrow();

        assertThat(d.isTombstone()).isTrue();
        assertThat(d.key().string()).isEqualTo("g");
    }

    @Property(tries = 100)
    void aValueOfANewerVersionIsReadByThePrefixItsReaderKnows(@ForAll @ShortRange(min = 1) short version,
                                                             @ForAll byte[] appended) {
        byte[] v1 = SKIPPING.value(COUNTER, w -> w.int32(7));
        byte[] newer = Arrays.copyOf(v1, v1.length + appended.length);
        System.arraycopy(appended, 0, newer, v1.length, appended.length);
        newer[0] = (byte) (version >> 8);
        newer[1] = (byte) version;

        KeyValueCodec.Value value = SKIPPING.decode(wrap(SKIPPING.key(COUNTER, w -> { })), wrap(newer))
                .orElseThrow().value().orElseThrow();

        assertThat(value.version()).isEqualTo(version);
        assertThat(value.fields().int32()).isEqualTo(7);
    }

    @Test
    void aNegativeVersionIsCorrupt() {
        byte[] key = SKIPPING.key(COUNTER, w -> { });

        assertThatThrownBy(() -> SKIPPING.decode(wrap(key), wrap(new byte[] {(byte) 0xff, (byte) 0xfe})))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessage("Corrupt test log value at offset 0: value version -2 of counter (expected: >= 0)");
        assertThatThrownBy(() -> SKIPPING.decode(wrap(key), wrap(new byte[] {0})))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated");
    }

    @Test
    void anUnknownTypeIsSkippedWithoutLookingAtTheRestOrReportedAsTheFormatSays() {
        ByteBuffer unknown = ByteBuffer.wrap(new byte[] {0, 99, (byte) 0xff});

        assertThat(SKIPPING.decode(unknown, ByteBuffer.wrap(new byte[] {(byte) 0x80}))).isEmpty();
        assertThatThrownBy(() -> REJECTING.decode(unknown, null))
                .isInstanceOfSatisfying(UnknownRecordTypeException.class, e -> assertThat(e.typeId()).isEqualTo(99));
    }

    @Test
    void typeOfRoutesKeysWithoutThrowing() {
        assertThat(REJECTING.typeOf(REJECTING.key(LABEL, w -> w.string("g")))).contains(LABEL);
        assertThat(REJECTING.typeOf(new byte[] {0, 99})).isEmpty();
        assertThat(REJECTING.typeOf(new byte[] {0})).isEmpty();
        assertThat(REJECTING.typeOf(null)).isEmpty();
    }

    @Test
    void onlyTheFormatsOwnTypesAreWritten() {
        RecordType stranger = new RecordType(3, "counter", (short) 2);

        assertThatThrownBy(() -> SKIPPING.value(stranger, w -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SKIPPING.key(stranger, w -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThat(SKIPPING.decode(wrap(SKIPPING.key(COUNTER, w -> { })), null).map(Decoded::type))
                .isEqualTo(Optional.of(COUNTER));
    }
}
