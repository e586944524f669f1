package io.herald.cli.format;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A kcat-style output template ({@code kcat -f}): text with {@code %} tokens replaced per record and backslash
 * escapes. Like kcat, nothing is appended: a template prints one line per record only if it ends in {@code \n}.
 *
 * <table>
 *   <caption>Tokens</caption>
 *   <tr><td>{@code %t}</td><td>topic</td></tr>
 *   <tr><td>{@code %p}</td><td>partition</td></tr>
 *   <tr><td>{@code %o}</td><td>offset</td></tr>
 *   <tr><td>{@code %k} / {@code %K}</td><td>key / key length in bytes (-1 for a null key)</td></tr>
 *   <tr><td>{@code %s} / {@code %S}</td><td>value / value length in bytes (-1 for a null value)</td></tr>
 *   <tr><td>{@code %T}</td><td>timestamp, epoch milliseconds</td></tr>
 *   <tr><td>{@code %h}</td><td>headers as {@code key=value,...}</td></tr>
 *   <tr><td>{@code %D}</td><td>delivery count (share groups; empty otherwise)</td></tr>
 *   <tr><td>{@code %%}</td><td>a percent sign</td></tr>
 * </table>
 *
 * <p>Escapes: {@code \n}, {@code \t}, {@code \r}, {@code \\}. A null key or value prints as nothing. Immutable and
 * thread-safe.
 */
public final class RecordTemplate {

    /** Tokens and what they stand for, as the usage help lists them. */
    public static final String TOKENS = "%t topic, %p partition, %o offset, %k key, %K key length, %s value, "
            + "%S value length, %T timestamp (ms), %h headers, %D delivery count, %% a percent sign; "
            + "escapes \\n \\t \\r \\\\";

    /** The value alone, one per line. */
    public static final RecordTemplate VALUE_LINES = parse("%s\\n");

    @FunctionalInterface
    private interface Part {
        void append(StringBuilder out, ConsumerRecord<byte[], byte[]> record);
    }

    private final String source;
    private final List<Part> parts;

    private RecordTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /** @throws IllegalArgumentException for an unknown token or escape, or a trailing {@code %} or {@code \} */
    public static RecordTemplate parse(String template) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%' && c != '\\') {
                literal.append(c);
                continue;
            }
            if (i + 1 == template.length()) {
                throw new IllegalArgumentException("format ends with a lone '" + c + "': " + template);
            }
            char next = template.charAt(++i);
            if (c == '\\') {
                literal.append(escape(next, template));
                continue;
            }
            if (next == '%') {
                literal.append('%');
                continue;
            }
            Part token = token(next, template);
            if (!literal.isEmpty()) {
                String text = literal.toString();
                parts.add((out, record) -> out.append(text));
                literal.setLength(0);
            }
            parts.add(token);
        }
        if (!literal.isEmpty()) {
            String text = literal.toString();
            parts.add((out, record) -> out.append(text));
        }
        return new RecordTemplate(template, parts);
    }

    /** The text of {@code record}. */
    public String render(ConsumerRecord<byte[], byte[]> record) {
        StringBuilder out = new StringBuilder();
        parts.forEach(part -> part.append(out, record));
        return out.toString();
    }

    @Override
    public String toString() {
        return source;
    }

    private static char escape(char c, String template) {
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case '\\' -> '\\';
            default -> throw new IllegalArgumentException("unknown escape '\\" + c + "' in format " + template
                    + " (expected \\n, \\t, \\r or \\\\)");
        };
    }

    private static Part token(char c, String template) {
        return switch (c) {
            case 't' -> (out, r) -> out.append(r.topic());
            case 'p' -> (out, r) -> out.append(r.partition());
            case 'o' -> (out, r) -> out.append(r.offset());
            case 'k' -> (out, r) -> appendText(out, r.key());
            case 'K' -> (out, r) -> out.append(r.key() == null ? -1 : r.key().length);
            case 's' -> (out, r) -> appendText(out, r.value());
            case 'S' -> (out, r) -> out.append(r.value() == null ? -1 : r.value().length);
            case 'T' -> (out, r) -> out.append(r.timestamp());
            case 'h' -> RecordTemplate::appendHeaders;
            case 'D' -> (out, r) -> r.deliveryCount().ifPresent(out::append);
            default -> throw new IllegalArgumentException("unknown token '%" + c + "' in format " + template
                    + " (expected: " + TOKENS + ")");
        };
    }

    private static void appendText(StringBuilder out, byte[] bytes) {
        if (bytes != null) {
            out.append(Text.string(bytes));
        }
    }

    private static void appendHeaders(StringBuilder out, ConsumerRecord<byte[], byte[]> record) {
        boolean first = true;
        for (Header header : record.headers()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(header.key());
            if (header.value() != null) {
                out.append('=').append(Text.string(header.value()));
            }
        }
    }
}
