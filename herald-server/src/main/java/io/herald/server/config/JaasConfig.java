package io.herald.server.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one login module of a {@code sasl.jaas.config} value, in JAAS syntax:
 * {@code org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="secret"
 * user_admin="secret";}. Values are double-quoted (backslash escapes) or bare words.
 *
 * @param loginModule the login module's class name
 * @param options     the module's options, in order
 */
record JaasConfig(String loginModule, Map<String, String> options) {
    private static final java.util.Set<String> FLAGS = java.util.Set.of("required", "requisite", "sufficient",
            "optional");

    JaasConfig {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * Parses one login module.
     *
     * @throws IllegalArgumentException saying what is malformed (never echoing option values: they hold passwords)
     */
    static JaasConfig parse(String value) {
        Parser p = new Parser(value);
        String module = p.word();
        if (module.isEmpty()) {
            throw new IllegalArgumentException("expected a login module class name");
        }
        String flag = p.word();
        if (!FLAGS.contains(flag)) {
            throw new IllegalArgumentException("login module " + module + ": expected a control flag (required, "
                    + "requisite, sufficient or optional)");
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (!p.atSemicolon()) {
            String key = p.word();
            if (key.isEmpty() || !p.consume('=')) {
                throw new IllegalArgumentException("login module " + module + ": expected key=value options "
                        + "and a closing ';'");
            }
            options.put(key, p.value(module, key));
        }
        if (!p.consume(';')) {
            throw new IllegalArgumentException("login module " + module + ": expected a closing ';'");
        }
        if (!p.atEnd()) {
            throw new IllegalArgumentException("only one login module is supported (" + module + ")");
        }
        return new JaasConfig(module, options);
    }

    /** The {@code user_<name>="<password>"} options: the users a PLAIN listener accepts. */
    Map<String, String> plainUsers() {
        return options.entrySet().stream().filter(e -> e.getKey().startsWith("user_") && e.getKey().length() > 5)
                .collect(Collectors.toMap(e -> e.getKey().substring(5), Map.Entry::getValue, (a, b) -> b,
                        LinkedHashMap::new));
    }

    Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    private static final class Parser {
        private final String s;
        private int at;

        Parser(String s) {
            this.s = s;
        }

        private void skipSpace() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        String word() {
            skipSpace();
            int start = at;
            while (at < s.length() && !Character.isWhitespace(s.charAt(at)) && "=;\"".indexOf(s.charAt(at)) < 0) {
                at++;
            }
            return s.substring(start, at);
        }

        boolean consume(char c) {
            skipSpace();
            if (at < s.length() && s.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        boolean atSemicolon() {
            skipSpace();
            return at >= s.length() || s.charAt(at) == ';';
        }

        boolean atEnd() {
            skipSpace();
            return at >= s.length();
        }

        String value(String module, String key) {
            skipSpace();
            if (at < s.length() && s.charAt(at) == '"') {
                StringBuilder out = new StringBuilder();
                at++;
                while (at < s.length() && s.charAt(at) != '"') {
                    char c = s.charAt(at++);
                    if (c == '\\' && at < s.length()) {
                        c = s.charAt(at++);
                    }
                    out.append(c);
                }
                if (at >= s.length()) {
                    throw new IllegalArgumentException("login module " + module + ": the value of " + key
                            + " has no closing quote");
                }
                at++;
                return out.toString();
            }
            String bare = word();
            if (bare.isEmpty()) {
                throw new IllegalArgumentException("login module " + module + ": no value for " + key);
            }
            return bare;
        }
    }
}
