package io.herald.cli.produce;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a line of input becomes a record's key and value: the whole line is the value, or, with a key separator
 * ({@code -K :}), the bytes before its first occurrence are the key and the rest the value, as
 * {@code kafka-console-producer --property parse.key=true} splits them.
 *
 * @param keySeparator the separator's bytes, empty when lines have no key
 */
record LineFormat(Optional<byte[]> keySeparator) {

    /** A key and a value; the key is {@code null} without a separator. */
    record KeyValue(byte[] key, byte[] value) {}

    LineFormat {
        keySeparator.ifPresent(sep -> {
            if (sep.length == 0) {
                throw new IllegalArgumentException("the key separator must not be empty");
            }
        });
    }

    /** Splits {@code line}; empty when it has a key separator to find and does not contain it. */
    Optional<KeyValue> split(byte[] line) {
        if (keySeparator.isEmpty()) {
            return Optional.of(new KeyValue(null, line));
        }
        byte[] sep = keySeparator.get();
        int at = indexOf(line, sep);
        if (at < 0) {
            return Optional.empty();
        }
        return Optional.of(new KeyValue(Arrays.copyOfRange(line, 0, at),
                Arrays.copyOfRange(line, at + sep.length, line.length)));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
