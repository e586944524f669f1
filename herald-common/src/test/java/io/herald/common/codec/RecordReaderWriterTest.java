package io.herald.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class RecordReaderWriterTest {

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static String hexOf(RecordWriter w) {
        return HexFormat.ofDelimiter(" ").formatHex(w.toBytes());
    }

    private static RecordReader reader(String hex) {
        return RecordReader.of(hex(hex), "test record");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertCorrupt(Runnable read, int offset,
                                                                                String detail) {
        return assertThatThrownBy(read::run).isInstanceOfSatisfying(CorruptRecordException.class, e -> {
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.detail()).isEqualTo(detail);
            assertThat(e.source()).isEqualTo("test record");
        });
    }

    @Test
    void integersAreBigEndianTwosComplementAtTheirBoundaries() {
        RecordWriter w = new RecordWriter(0)
                .int8(Byte.MIN_VALUE).int8(Byte.MAX_VALUE)
                .int16(Short.MIN_VALUE).int16((short) -1)
                .int32(Integer.MIN_VALUE).int32(0x01020304)
                .int64(Long.MAX_VALUE).int64(-2);

        assertThat(hexOf(w)).isEqualTo("80 7f 80 00 ff ff 80 00 00 00 01 02 03 04"
                + " 7f ff ff ff ff ff ff ff ff ff ff ff ff ff ff fe");
        RecordReader r = RecordReader.of(w.toBytes(), "test record");
        assertThat(List.of(r.int8(), r.int8())).containsExactly(Byte.MIN_VALUE, Byte.MAX_VALUE);
        assertThat(List.of(r.int16(), r.int16())).containsExactly(Short.MIN_VALUE, (short) -1);
        assertThat(List.of(r.int32(), r.int32())).containsExactly(Integer.MIN_VALUE, 0x01020304);
        assertThat(List.of(r.int64(), r.int64())).containsExactly(Long.MAX_VALUE, -2L);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void truncatedIntegersNameTheFieldTheOffsetAndWhatIsMissing() {
        RecordReader r = reader("00 01 02");
        r.int8();

        assertCorrupt(r::int32, 1, "truncated: int32 needs 4 bytes, only 2 remain")
                .hasMessage("Corrupt test record at offset 1: truncated: int32 needs 4 bytes, only 2 remain");
        assertThat(r.position()).as("a failed read consumes nothing").isEqualTo(1);
        assertCorrupt(() -> reader("").int8(), 0, "truncated: int8 needs 1 bytes, only 0 remain");
    }

    @Test
    void booleansAreZeroOrOneAndNothingElse() {
        assertThat(hexOf(new RecordWriter().bool(true).bool(false))).isEqualTo("01 00");
        RecordReader r = reader("01 00 02");
        assertThat(r.bool()).isTrue();
        assertThat(r.bool()).isFalse();
        assertCorrupt(r::bool, 2, "boolean 2 (expected: 0 or 1)");
    }

    @Test
    void stringsAreInt16LengthAndUtf8WithMinusOneForNull() {
        RecordWriter w = new RecordWriter().string("aü").nullableString(null).nullableString("").string("🚀");

        assertThat(hexOf(w)).isEqualTo("00 03 61 c3 bc ff ff 00 00 00 04 f0 9f 9a 80");
        RecordReader r = RecordReader.of(w.toBytes(), "test record");
        assertThat(r.string()).isEqualTo("aü");
        assertThat(r.nullableString()).isNull();
        assertThat(r.nullableString()).isEmpty();
        assertThat(r.string()).isEqualTo("🚀");
    }

    @Test
    void aStringFillsAtMost32767Bytes() {
        String longest = "x".repeat(Short.MAX_VALUE);
        byte[] bytes = new RecordWriter().string(longest).toBytes();
        assertThat(RecordReader.of(bytes, "test record").string()).isEqualTo(longest);

        RecordWriter w = new RecordWriter();
        assertThatThrownBy(() -> w.string("ü".repeat(16_384)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("string of 32768 UTF-8 bytes (expected: <= 32767)");
        assertThat(w.size()).as("nothing written for the rejected field").isZero();
        assertThatThrownBy(() -> w.string(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void badStringLengthsAreCorrupt() {
        assertCorrupt(reader("ff ff")::string, 0, "null string (expected: a string)");
        assertCorrupt(reader("ff fe")::nullableString, 0, "string length -2 (expected: >= -1)");
        assertCorrupt(reader("00 09 61")::string, 0, "truncated: the string needs 9 bytes, only 1 remain");
        assertCorrupt(reader("7f ff")::string, 0, "truncated: the string needs 32767 bytes, only 0 remain");
    }

    @Test
    void modifiedUtf8IsWhatDataOutputWrites() {
        RecordWriter w = new RecordWriter().modifiedUtf8("a\u0000ü🚀");

        // NUL as c0 80, the rocket as two surrogates of three bytes each.
        assertThat(hexOf(w)).isEqualTo("00 0b 61 c0 80 c3 bc ed a0 bd ed ba 80");
        assertThat(RecordReader.of(w.toBytes(), "test record").modifiedUtf8()).isEqualTo("a\u0000ü🚀");
    }

    @Test
    void aModifiedUtf8StringFillsAtMost65535Bytes() {
        String longest = "x".repeat(65_535);
        byte[] bytes = new RecordWriter().modifiedUtf8(longest).toBytes();
        assertThat(bytes[0]).isEqualTo((byte) 0xff);
        assertThat(RecordReader.of(bytes, "test record").modifiedUtf8()).isEqualTo(longest);

        assertThatThrownBy(() -> new RecordWriter().modifiedUtf8("\u0800".repeat(21_846)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("string of 65538 modified UTF-8 bytes (expected: <= 65535)");
    }

    @Test
    void malformedModifiedUtf8IsCorruptAtTheBadByte() {
        assertCorrupt(reader("00 02 61 80")::modifiedUtf8, 3,
                "malformed modified UTF-8: byte 0x80 cannot start a character");
        assertCorrupt(reader("00 02 c3 41")::modifiedUtf8, 3,
                "malformed modified UTF-8: byte 0x41 where a continuation byte (10xxxxxx) belongs");
        assertCorrupt(reader("00 02 e2 9c")::modifiedUtf8, 2,
                "malformed modified UTF-8: a character of 3 bytes cut by the end");
        assertCorrupt(reader("00 01 f0")::modifiedUtf8, 2,
                "malformed modified UTF-8: byte 0xf0 cannot start a character");
        assertCorrupt(reader("ff ff 00")::modifiedUtf8, 0,
                "truncated: the modified UTF-8 string needs 65535 bytes, only 1 remain");
    }

    @Test
    void bytesAreInt32LengthAndContent() {
        RecordWriter w = new RecordWriter().bytes(new byte[] {1, 2}).bytes(new byte[0]);

        assertThat(hexOf(w)).isEqualTo("00 00 00 02 01 02 00 00 00 00");
        RecordReader r = RecordReader.of(w.toBytes(), "test record");
        assertThat(r.bytes()).containsExactly(1, 2);
        assertThat(r.bytes()).isEmpty();
    }

    @Test
    void hugeOrNegativeLengthsAreCorruptBeforeAnythingIsAllocated() {
        assertCorrupt(reader("7f ff ff ff 00 00 00")::bytes, 0,
                "truncated: the bytes needs 2147483647 bytes, only 3 remain");
        assertCorrupt(reader("ff ff ff ff")::bytes, 0, "bytes length -1 (expected: >= 0)");
        assertCorrupt(() -> reader("7f ff ff ff 00").list(RecordReader::int8), 0,
                "list count 2147483647 but only 1 bytes remain (expected: at most one element per byte)");
        assertCorrupt(() -> reader("80 00 00 00").list(RecordReader::int8), 0,
                "list count -2147483648 (expected: >= 0)");
        assertCorrupt(() -> reader("7f ff ff ff").map(TreeMap::new, RecordReader::int8, RecordReader::int8), 0,
                "map count 2147483647 but only 0 bytes remain (expected: at most one element per byte)");
    }

    @Test
    void uuidsAreTwoLongs() {
        UUID id = new UUID(0x0123456789abcdefL, -2L);
        RecordWriter w = new RecordWriter().uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());

        assertThat(hexOf(w)).isEqualTo("01 23 45 67 89 ab cd ef ff ff ff ff ff ff ff fe");
        assertThat(RecordReader.of(w.toBytes(), "test record").uuid(UUID::new)).isEqualTo(id);
        assertCorrupt(() -> reader("00 00 00 00 00 00 00 00 00").uuid(UUID::new), 0,
                "truncated: a uuid needs 16 bytes, only 9 remain");
    }

    @Test
    void optionalsListsAndMapsFrameTheirElements() {
        RecordWriter w = new RecordWriter()
                .optional(Optional.of(7), RecordWriter::int32)
                .optional(Optional.<Integer>empty(), RecordWriter::int32)
                .list(List.of("a", "b"), RecordWriter::string)
                .map(new TreeMap<>(Map.of((byte) 2, "x", (byte) 1, "y")), RecordWriter::int8, RecordWriter::string);

        assertThat(hexOf(w)).isEqualTo("01 00 00 00 07 00 00 00 00 02 00 01 61 00 01 62"
                + " 00 00 00 02 01 00 01 79 02 00 01 78");
        RecordReader r = RecordReader.of(w.toBytes(), "test record");
        assertThat(r.optional(RecordReader::int32)).contains(7);
        assertThat(r.optional(RecordReader::int32)).isEmpty();
        assertThat(r.list(RecordReader::string)).containsExactly("a", "b");
        TreeMap<Byte, String> map = r.map(TreeMap::new, RecordReader::int8, RecordReader::string);
        assertThat(map).containsExactly(Map.entry((byte) 1, "y"), Map.entry((byte) 2, "x"));
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void aDuplicateMapKeyIsCorrupt() {
        assertCorrupt(() -> reader("00 00 00 02 01 00 01 02").map(TreeMap::new, RecordReader::int8,
                RecordReader::int8), 6, "duplicate map key 1");
    }

    @Test
    void aFieldReadAndFoundInvalidIsReportedAtItsOffset() {
        RecordReader r = reader("00 07");
        r.int8();
        int at = r.position();
        byte code = r.int8();

        assertThat(r.corrupt(at, "state " + code + " (expected: 0 to 2)"))
                .hasMessage("Corrupt test record at offset 1: state 7 (expected: 0 to 2)");
    }

    @Test
    void aBufferIsReadFromItsPositionWithoutMovingIt() {
        ByteBuffer buffer = ByteBuffer.wrap(hex("ff ff 00 00 00 2a 01"));
        buffer.position(2);

        RecordReader r = RecordReader.of(buffer, "test record");

        assertThat(r.int32()).isEqualTo(42);
        assertThat(r.position()).as("offsets count from the buffer's position").isEqualTo(4);
        assertCorrupt(r::int16, 4, "truncated: int16 needs 2 bytes, only 1 remain");
        assertThat(buffer.position()).isEqualTo(2);
    }

    @Test
    void directAndReadOnlyBuffersAreReadToo() {
        ByteBuffer direct = ByteBuffer.allocateDirect(5).put(hex("00 03 61 62 63")).flip();
        assertThat(RecordReader.of(direct, "test record").string()).isEqualTo("abc");
        assertThat(direct.position()).isZero();

        ByteBuffer readOnly = ByteBuffer.wrap(hex("00 00 00 00 00 01 61")).position(4).asReadOnlyBuffer();
        assertThat(RecordReader.of(readOnly, "test record").modifiedUtf8()).isEqualTo("a");
    }

    @Test
    void theWriterGrowsFromAnEmptyArray() {
        RecordWriter w = new RecordWriter(0);
        for (int i = 0; i < 1000; i++) {
            w.int64(i);
        }
        assertThat(w.size()).isEqualTo(8000);
        RecordReader r = RecordReader.of(w.toBytes(), "test record");
        for (int i = 0; i < 1000; i++) {
            assertThat(r.int64()).isEqualTo(i);
        }
        assertThatThrownBy(() -> new RecordWriter(-1)).hasMessage("capacity: -1 (expected: >= 0)");
    }
}
