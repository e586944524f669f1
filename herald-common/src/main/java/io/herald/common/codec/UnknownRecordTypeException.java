package io.herald.common.codec;

/**
 * A record type id that the format does not know, in a format whose rule is to report unknown types rather
 * than skip them ({@link RecordFormat.UnknownTypes#REJECT}). Usually written by a newer Herald, not damaged: the
 * distinction lets a caller answer "unsupported version" instead of "corrupt".
 */
public final class UnknownRecordTypeException extends CorruptRecordException {
    private static final long serialVersionUID = 1L;

    private final int typeId;

    UnknownRecordTypeException(String source, int offset, int typeId, String expected) {
        super(source, offset, "unknown record type " + typeId + " (expected: " + expected + ")");
        this.typeId = typeId;
    }

    public int typeId() {
        return typeId;
    }
}
