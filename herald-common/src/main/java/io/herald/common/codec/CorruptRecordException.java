package io.herald.common.codec;

/**
 * Bytes that do not follow their format: truncated, a negative or impossible length, a malformed string, an
 * unknown type where the format allows none. Carries where reading stopped and what was expected there, so a
 * log line names the byte to look at.
 *
 * <p>Herald's own type, so that herald-common needs no Kafka classes; a caller that answers Kafka clients maps
 * it (e.g. to Kafka's {@code CorruptRecordException}).
 */
public class CorruptRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int offset;
    private final String detail;

    /**
     * @param source what was being read, e.g. {@code "__consumer_offsets value"}
     * @param offset the offset, from the start of the bytes being read, of the field that is wrong
     * @param detail what was found and what was expected, e.g. {@code "string length -2 (expected: >= -1)"}
     */
    public CorruptRecordException(String source, int offset, String detail) {
        super("Corrupt " + source + " at offset " + offset + ": " + detail);
        this.source = source;
        this.offset = offset;
        this.detail = detail;
    }

    /** What was being read. */
    public String source() {
        return source;
    }

    /** The offset of the wrong field from the start of the bytes being read. */
    public int offset() {
        return offset;
    }

    /** What was found and what was expected. */
    public String detail() {
        return detail;
    }
}
