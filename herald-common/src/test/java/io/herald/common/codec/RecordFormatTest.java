package io.herald.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.RecordFormat.TypeIdWidth;
import io.herald.common.codec.RecordFormat.UnknownTypes;
import org.junit.jupiter.api.Test;

class RecordFormatTest {
    private static final RecordType TOPIC = new RecordType(1, "topic");
    private static final RecordType BROKER = new RecordType(5, "broker");

    @Test
    void typesAreFoundByIdAndListedInIdOrder() {
        RecordFormat format = RecordFormat.of("metadata record", TypeIdWidth.INT8, UnknownTypes.REJECT, BROKER, TOPIC);

        assertThat(format.types()).containsExactly(TOPIC, BROKER);
        assertThat(format.type(5)).contains(BROKER);
        assertThat(format.type(2)).isEmpty();
    }

    @Test
    void idsAndNamesAreUniqueAndFitTheirWidth() {
        assertThatThrownBy(() -> RecordFormat.of("f", TypeIdWidth.INT8, UnknownTypes.SKIP, TOPIC,
                new RecordType(1, "other"))).hasMessage("type id 1 of both topic and other");
        assertThatThrownBy(() -> RecordFormat.of("f", TypeIdWidth.INT8, UnknownTypes.SKIP, TOPIC,
                new RecordType(2, "topic"))).hasMessageContaining("share a name");
        assertThatThrownBy(() -> RecordFormat.of("f", TypeIdWidth.INT8, UnknownTypes.SKIP,
                new RecordType(128, "wide"))).hasMessage("type id of wide: 128 (expected: <= 127 for INT8)");
        assertThat(RecordFormat.of("f", TypeIdWidth.INT16, UnknownTypes.SKIP, new RecordType(32_767, "wide"))
                .type(32_767)).isPresent();
    }

    @Test
    void recordTypesHaveLowerCaseNamesAndNonNegativeIdsAndVersions() {
        assertThatThrownBy(() -> new RecordType(1, "OffsetCommit")).hasMessageContaining("lower-case");
        assertThatThrownBy(() -> new RecordType(-1, "x")).hasMessage("record type id: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new RecordType(1, "x", (short) -1)).hasMessage("version of x: -1 (expected: >= 0)");
    }

    @Test
    void theTypeIdIsAsWideAsTheFormatSays() {
        RecordFormat narrow = RecordFormat.of("f", TypeIdWidth.INT8, UnknownTypes.REJECT, BROKER);
        RecordFormat wide = RecordFormat.of("f", TypeIdWidth.INT16, UnknownTypes.REJECT, BROKER);

        RecordWriter w = new RecordWriter();
        narrow.writeType(w, BROKER);
        wide.writeType(w, BROKER);

        assertThat(w.toBytes()).containsExactly(5, 0, 5);
        RecordReader r = RecordReader.of(w.toBytes(), "f");
        assertThat(narrow.readType(r)).contains(BROKER);
        assertThat(wide.readType(r)).contains(BROKER);
    }

    @Test
    void aFormatWritesOnlyItsOwnTypes() {
        RecordFormat format = RecordFormat.of("f", TypeIdWidth.INT8, UnknownTypes.REJECT, TOPIC);

        assertThatThrownBy(() -> format.writeType(new RecordWriter(), BROKER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a type of f");
        assertThatThrownBy(() -> format.writeType(new RecordWriter(), new RecordType(1, "topic", (short) 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownTypeIsSkippedOrReportedAsTheFormatSays() {
        RecordFormat skipping = RecordFormat.of("f", TypeIdWidth.INT16, UnknownTypes.SKIP, TOPIC);
        RecordFormat rejecting = RecordFormat.of("f", TypeIdWidth.INT8, UnknownTypes.REJECT, TOPIC, BROKER);

        assertThat(skipping.readType(RecordReader.of(new byte[] {0, 9}, "f key"))).isEmpty();
        RecordReader r = RecordReader.of(new byte[] {1, (byte) 0x90}, "metadata batch");
        rejecting.readType(r);
        assertThatThrownBy(() -> rejecting.readType(r))
                .isInstanceOfSatisfying(UnknownRecordTypeException.class, e -> {
                    assertThat(e.typeId()).isEqualTo(-112);
                    assertThat(e.offset()).isEqualTo(1);
                })
                .hasMessage("Corrupt metadata batch at offset 1: unknown record type -112 (expected: one of 1, 5)");
    }

    @Test
    void aMissingTypeIdIsCorruptUnderEitherRule() {
        RecordFormat skipping = RecordFormat.of("f", TypeIdWidth.INT16, UnknownTypes.SKIP, TOPIC);

        assertThatThrownBy(() -> skipping.readType(RecordReader.of(new byte[] {0}, "f key")))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated");
    }
}
