package io.herald.cli.format;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Record bytes as the text a terminal shows: UTF-8, with malformed input replaced (the CLI prints what it reads;
 * it does not know a topic's serialization).
 *
 * <p>Stateless and thread-safe.
 */
public final class Text {

    private Text() {
    }

    /** {@code bytes} as UTF-8 text; {@code null} stays {@code null}. */
    public static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code text} as UTF-8 bytes. */
    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The text of the last header named {@code key}, if there is one with a value. */
    public static Optional<String> header(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null ? Optional.empty() : Optional.ofNullable(string(header.value()));
    }
}
