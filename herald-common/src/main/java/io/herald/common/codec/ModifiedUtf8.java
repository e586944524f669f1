package io.herald.common.codec;

/**
 * Java's modified UTF-8, the string encoding of {@link java.io.DataOutput#writeUTF}: UTF-16 code units encoded
 * one by one, NUL as two bytes ({@code c0 80}), a character outside the BMP as its two surrogates of three bytes
 * each. The metadata formats were written with {@code DataOutputStream}, so their strings must stay in it.
 *
 * <p>Decoding accepts exactly what {@link java.io.DataInput#readUTF} accepts (including a one-byte NUL, which a
 * writer never produces), so everything written before the codec stays readable. Stateless.
 */
final class ModifiedUtf8 {
    /** The most bytes an encoded string may have: its length is an unsigned 16-bit number. */
    static final int MAX_BYTES = 0xffff;

    private ModifiedUtf8() {
    }

    /** The number of bytes {@code s} encodes to. */
    static int length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c >= 0x0001 && c <= 0x007f ? 1 : c <= 0x07ff ? 2 : 3;
        }
        return bytes;
    }

    /** Encodes {@code s} into {@code out} from {@code at}; returns the offset after it. */
    static int encode(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x0001 && c <= 0x007f) {
                out[at++] = (byte) c;
            } else if (c <= 0x07ff) {
                out[at++] = (byte) (0xc0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3f));
            } else {
                out[at++] = (byte) (0xe0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[at++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return at;
    }

    /**
     * Decodes {@code length} bytes of {@code in} from {@code from}.
     *
     * @return the string
     * @throws MalformedException with the offset (within {@code in}) of the first byte that is not modified UTF-8
     */
    static String decode(byte[] in, int from, int length) {
        char[] chars = new char[length];
        int n = 0;
        int end = from + length;
        int i = from;
        while (i < end) {
            int b = in[i] & 0xff;
            if (b < 0x80) {
                chars[n++] = (char) b;
                i += 1;
            } else if ((b & 0xe0) == 0xc0) {
                checkContinuation(in, i, 1, end);
                chars[n++] = (char) (((b & 0x1f) << 6) | (in[i + 1] & 0x3f));
                i += 2;
            } else if ((b & 0xf0) == 0xe0) {
                checkContinuation(in, i, 2, end);
                chars[n++] = (char) (((b & 0x0f) << 12) | ((in[i + 1] & 0x3f) << 6) | (in[i + 2] & 0x3f));
                i += 3;
            } else {
                throw new MalformedException(i, String.format("byte 0x%02x cannot start a character", b));
            }
        }
        return new String(chars, 0, n);
    }

    private static void checkContinuation(byte[] in, int start, int count, int end) {
        if (start + count >= end) {
            throw new MalformedException(start, "a character of " + (count + 1) + " bytes cut by the end");
        }
        for (int k = 1; k <= count; k++) {
            if ((in[start + k] & 0xc0) != 0x80) {
                throw new MalformedException(start + k, String.format(
                        "byte 0x%02x where a continuation byte (10xxxxxx) belongs", in[start + k] & 0xff));
            }
        }
    }

    /** Bytes that are not modified UTF-8, at {@link #offset}. */
    static final class MalformedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final int offset;

        MalformedException(int offset, String message) {
            super(message, null, false, false);
            this.offset = offset;
        }
    }
}
