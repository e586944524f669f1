/**
 * The binary codec of Herald's internal records: {@code __consumer_offsets} records, metadata records,
 * controller commands, and whatever internal log comes next. Herald's own formats, not Kafka's schemas: only
 * Herald reads them back.
 *
 * <ul>
 *   <li>{@link io.herald.common.codec.RecordWriter} / {@link io.herald.common.codec.RecordReader}: the field
 *       encodings (big-endian integers, strings, bytes, optionals, lists, maps, UUIDs as two longs; the table
 *       is in {@code RecordWriter}). The reader reports bad bytes as
 *       {@link io.herald.common.codec.CorruptRecordException} with the offset and what was expected, and never
 *       allocates more than the input's size.</li>
 *   <li>{@link io.herald.common.codec.RecordType} / {@link io.herald.common.codec.RecordFormat}: the type ids of
 *       a format, how wide they are, and the format's rule for an unknown id (skip or report).</li>
 *   <li>{@link io.herald.common.codec.KeyValueCodec}: records of a compacted log, a key (type id, key fields)
 *       and a value (version, value fields) or a tombstone, with the compatibility rule: values only gain
 *       trailing fields, a reader reads older versions by their layout and newer ones by the prefix it knows.</li>
 * </ul>
 *
 * <p>Every format's bytes are pinned by golden fixtures in the tests of the module that owns the format
 * ({@code src/test/resources/golden/<format>/}, see {@code GoldenFixtures} in this module's test-jar): a change
 * that can no longer read an existing log fails there.
 */
package io.herald.common.codec;
