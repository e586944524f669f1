package io.herald.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of the field codec against reference models: a list of typed fields for round trips, and the
 * JDK's {@link DataOutputStream} / {@link String#getBytes} for the exact bytes of strings.
 */
class RecordCodecPropertyTest {

    /** One field of a record: how to write it, how to read it back, and the value it holds. */
    record Field(String kind, Object value) {
        void write(RecordWriter w) {
            switch (kind) {
                case "int8" -> w.int8((Byte) value);
                case "int16" -> w.int16((Short) value);
                case "int32" -> w.int32((Integer) value);
                case "int64" -> w.int64((Long) value);
                case "bool" -> w.bool((Boolean) value);
                case "string" -> w.string((String) value);
                case "nullableString" -> w.nullableString(((Optional<?>) value).map(String.class::cast).orElse(null));
                case "modifiedUtf8" -> w.modifiedUtf8((String) value);
                case "bytes" -> w.bytes(toArray((ByteBuffer) value));
                case "uuid" -> w.uuid(((UUID) value).getMostSignificantBits(),
                        ((UUID) value).getLeastSignificantBits());
                case "optional" -> w.optional(cast(value), RecordWriter::int64);
                case "list" -> w.list(cast(value), RecordWriter::string);
                case "map" -> w.map(cast(value), RecordWriter::int32, RecordWriter::modifiedUtf8);
                default -> throw new AssertionError(kind);
            }
        }

        /** Reads the field back, as the same kind of value as {@link #value}. */
        Object read(RecordReader r) {
            return switch (kind) {
                case "int8" -> r.int8();
                case "int16" -> r.int16();
                case "int32" -> r.int32();
                case "int64" -> r.int64();
                case "bool" -> r.bool();
                case "string" -> r.string();
                case "nullableString" -> Optional.ofNullable(r.nullableString());
                case "modifiedUtf8" -> r.modifiedUtf8();
                case "bytes" -> ByteBuffer.wrap(r.bytes());
                case "uuid" -> r.uuid(UUID::new);
                case "optional" -> r.optional(RecordReader::int64);
                case "list" -> r.list(RecordReader::string);
                case "map" -> r.map(TreeMap::new, RecordReader::int32, RecordReader::modifiedUtf8);
                default -> throw new AssertionError(kind);
            };
        }

        @SuppressWarnings("unchecked")
        private static <T> T cast(Object o) {
            return (T) o;
        }
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Strings that survive UTF-8: no unpaired surrogate (String.getBytes would turn it into '?'). */
    private static Arbitrary<String> utf8Strings() {
        return Arbitraries.strings().all().ofMaxLength(40)
                .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<List<Field>> records() {
        Arbitrary<Field> field = Arbitraries.oneOf(List.of(
                Arbitraries.bytes().map(v -> new Field("int8", v)),
                Arbitraries.shorts().map(v -> new Field("int16", v)),
                Arbitraries.integers().map(v -> new Field("int32", v)),
                Arbitraries.longs().map(v -> new Field("int64", v)),
                Arbitraries.of(true, false).map(v -> new Field("bool", v)),
                utf8Strings().map(v -> new Field("string", v)),
                utf8Strings().optional(0.3).map(v -> new Field("nullableString", v)),
                Arbitraries.strings().all().ofMaxLength(40).map(v -> new Field("modifiedUtf8", v)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(v -> new Field("bytes", ByteBuffer.wrap(v))),
                Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new)
                        .map(v -> new Field("uuid", v)),
                Arbitraries.longs().optional(0.5).map(v -> new Field("optional", v)),
                utf8Strings().list().ofMaxSize(5).map(v -> new Field("list", v)),
                Arbitraries.maps(Arbitraries.integers(), Arbitraries.strings().all().ofMaxLength(10)).ofMaxSize(5)
                        .map(m -> new Field("map", new TreeMap<>(m)))));
        return field.list().ofMaxSize(12);
    }

    private static byte[] write(List<Field> fields) {
        RecordWriter w = new RecordWriter(0);
        fields.forEach(f -> f.write(w));
        return w.toBytes();
    }

    @Property(tries = 500)
    void everyRecordReadsBackAsWritten(@ForAll("records") List<Field> fields) {
        byte[] bytes = write(fields);

        RecordReader r = RecordReader.of(bytes, "test record");
        for (Field f : fields) {
            assertThat(f.read(r)).as(f.kind()).isEqualTo(f.value());
        }
        assertThat(r.remaining()).isZero();
    }

    @Property(tries = 300)
    void everyTruncationIsReportedAsCorruptAtOrBeforeTheCut(@ForAll("records") List<Field> fields) {
        byte[] bytes = write(fields);

        for (int cut = 0; cut < bytes.length; cut++) {
            RecordReader r = RecordReader.of(Arrays.copyOf(bytes, cut), "test record");
            int end = cut;
            assertThatThrownBy(() -> fields.forEach(f -> f.read(r)))
                    .isInstanceOfSatisfying(CorruptRecordException.class,
                            e -> assertThat(e.offset()).isBetween(0, end));
        }
    }

    @Property(tries = 1000)
    void garbageIsEitherReadOrReportedAsCorruptAndNothingElse(@ForAll("records") List<Field> schema,
                                                            @ForAll @Size(max = 64) byte[] garbage) {
        RecordReader r = RecordReader.of(garbage, "test record");

        Throwable thrown = catchThrowable(() -> schema.forEach(f -> f.read(r)));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(CorruptRecordException.class);
        }
    }

    @Property(tries = 1000)
    void modifiedUtf8IsByteForByteWhatDataOutputWritesAndReads(@ForAll @StringLength(max = 60) String s)
            throws IOException {
        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        new DataOutputStream(reference).writeUTF(s);

        byte[] ours = new RecordWriter().modifiedUtf8(s).toBytes();

        assertThat(ours).isEqualTo(reference.toByteArray());
        assertThat(RecordReader.of(reference.toByteArray(), "test record").modifiedUtf8()).isEqualTo(s);
    }

    @Property(tries = 1000)
    void modifiedUtf8ReadsWhatDataInputReadsAndRejectsWhatItRejects(@ForAll @Size(max = 12) byte[] content) {
        byte[] framed = ByteBuffer.allocate(2 + content.length).putShort((short) content.length).put(content).array();
        String reference;
        try {
            reference = new DataInputStream(new ByteArrayInputStream(framed)).readUTF();
        } catch (IOException e) {
            reference = null;
        }

        Throwable thrown = catchThrowable(() -> RecordReader.of(framed, "test record").modifiedUtf8());

        if (reference == null) {
            assertThat(thrown).isInstanceOf(CorruptRecordException.class);
        } else {
            assertThat(thrown).isNull();
            assertThat(RecordReader.of(framed, "test record").modifiedUtf8()).isEqualTo(reference);
        }
    }

    @Property(tries = 500)
    void aStringIsItsInt16LengthAndItsUtf8Bytes(@ForAll @StringLength(max = 60) String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] expected = ByteBuffer.allocate(2 + utf8.length).putShort((short) utf8.length).put(utf8).array();

        assertThat(new RecordWriter().string(s).toBytes()).isEqualTo(expected);
    }

    @Property(tries = 200)
    void mapsReadBackEqual(@ForAll Map<Integer, @StringLength(max = 8) String> map) {
        TreeMap<Integer, String> sorted = new TreeMap<>(map);
        byte[] bytes = new RecordWriter().map(sorted, RecordWriter::int32, RecordWriter::modifiedUtf8).toBytes();

        TreeMap<Integer, String> read = RecordReader.of(bytes, "test record")
                .map(TreeMap::new, RecordReader::int32, RecordReader::modifiedUtf8);

        assertThat(read).isEqualTo(sorted);
    }
}
