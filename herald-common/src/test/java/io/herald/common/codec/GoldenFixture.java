package io.herald.common.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bytes of one golden fixture: named byte strings in order, e.g. a record's {@code key} and {@code value},
 * or one {@code entry}. A section may be absent ({@code null} in the file), which is how a tombstone's value is
 * pinned.
 *
 * <p>Text form, chosen so that a review diff shows which bytes changed:
 * <pre>
 * # comment lines (the generator writes what the fixture holds)
 * [key]
 * 00 02 00 03 67 72 70                  hex, any whitespace, 16 bytes a line when written
 * [value]
 * null                                  the section is absent
 * </pre>
 *
 * <p>Immutable (the arrays are copied in and out).
 */
public final class GoldenFixture {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private static final int BYTES_PER_LINE = 16;

    private final Map<String, byte[]> sections;

    private GoldenFixture(Map<String, byte[]> sections) {
        this.sections = sections;
    }

    /** One section named {@code entry}. */
    public static GoldenFixture entry(byte[] entry) {
        return builder().section("entry", entry).build();
    }

    /** A record of a compacted log: its {@code key} and its {@code value} (null for a tombstone). */
    public static GoldenFixture keyValue(byte[] key, byte[] value) {
        return builder().section("key", key).section("value", value).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bytes of a section; empty if the section is {@code null} in the fixture. */
    public Optional<byte[]> section(String name) {
        if (!sections.containsKey(name)) {
            throw new IllegalArgumentException("no section [" + name + "] (sections: " + sections.keySet() + ")");
        }
        return Optional.ofNullable(sections.get(name)).map(byte[]::clone);
    }

    /** The bytes of a section that must be present. */
    public byte[] bytes(String name) {
        return section(name).orElseThrow(() -> new IllegalArgumentException("section [" + name + "] is null"));
    }

    /** The text form without comments: what two fixtures are compared by. */
    public String render() {
        StringBuilder out = new StringBuilder();
        sections.forEach((name, bytes) -> {
            out.append('[').append(name).append("]\n");
            if (bytes == null) {
                out.append("null\n");
            } else {
                for (int from = 0; from < bytes.length; from += BYTES_PER_LINE) {
                    out.append(HEX.formatHex(bytes, from, Math.min(bytes.length, from + BYTES_PER_LINE))).append('\n');
                }
            }
        });
        return out.toString();
    }

    /** Reads the text form; comments and blank lines are ignored. */
    public static GoldenFixture parse(String text) {
        Builder builder = builder();
        String section = null;
        List<String> lines = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                if (section != null) {
                    builder.section(section, parseSection(section, lines));
                }
                section = line.substring(1, line.length() - 1);
                lines.clear();
            } else if (section == null) {
                throw new IllegalArgumentException("bytes before the first [section]: " + line);
            } else {
                lines.add(line);
            }
        }
        if (section != null) {
            builder.section(section, parseSection(section, lines));
        }
        return builder.build();
    }

    private static byte[] parseSection(String section, List<String> lines) {
        if (lines.size() == 1 && lines.get(0).equals("null")) {
            return null;
        }
        String hex = String.join("", lines).replaceAll("\\s+", "");
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("section [" + section + "] is not hex: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoldenFixture other && render().equals(other.render());
    }

    @Override
    public int hashCode() {
        return render().hashCode();
    }

    @Override
    public String toString() {
        return render();
    }

    /** Sections in the order they are added; names are unique. */
    public static final class Builder {
        private final Map<String, byte[]> sections = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds a section; {@code bytes} null makes it absent. */
        public Builder section(String name, byte[] bytes) {
            if (!name.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("section name: " + name + " (expected: [a-z0-9-]+)");
            }
            if (sections.containsKey(name)) {
                throw new IllegalArgumentException("duplicate section [" + name + "]");
            }
            sections.put(name, bytes == null ? null : bytes.clone());
            return this;
        }

        public GoldenFixture build() {
            return new GoldenFixture(Collections.unmodifiableMap(new LinkedHashMap<>(sections)));
        }
    }
}
