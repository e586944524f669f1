package io.herald.protocol.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Kafka's {@code ssl.principal.mapping.rules}: turns a client certificate's distinguished name (RFC 2253 form) into
 * a user name. Rules are tried in order; {@code DEFAULT} keeps the name as it is, {@code RULE:pattern/replacement/}
 * applies when the pattern matches the whole name and rewrites it ({@code $1} back-references), optionally lower-
 * ({@code /L}) or upper-cased ({@code /U}). A name no rule matches cannot authenticate.
 *
 * <p>Immutable and thread-safe.
 */
public final class SslPrincipalMapper {
    /** A rule list entry: DEFAULT, or RULE: with escaped slashes inside the pattern and replacement. */
    private static final Pattern ENTRY = Pattern.compile(
            "\\s*(?:(DEFAULT)|RULE:((?:\\\\.|[^\\\\/])*)/((?:\\\\.|[^\\\\/])*)/([LU]?)[^,\\n]*?)\\s*(?:[,\\n]|$)");

    private record Rule(Optional<Pattern> pattern, String replacement, String caseChange) {
        Optional<String> apply(String name) {
            if (pattern.isEmpty()) {
                return Optional.of(name);
            }
            Matcher m = pattern.get().matcher(name);
            if (!m.matches()) {
                return Optional.empty();
            }
            String result = m.replaceAll(replacement);
            return Optional.of(switch (caseChange) {
                case "L" -> result.toLowerCase(Locale.ROOT);
                case "U" -> result.toUpperCase(Locale.ROOT);
                default -> result;
            });
        }
    }

    public static final SslPrincipalMapper DEFAULT = parse("DEFAULT");

    private final List<Rule> rules;

    private SslPrincipalMapper(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Parses a rule list.
     *
     * @throws IllegalArgumentException naming the part that is not a rule
     */
    public static SslPrincipalMapper parse(String rules) {
        String value = rules == null || rules.isBlank() ? "DEFAULT" : rules.trim();
        List<Rule> parsed = new ArrayList<>();
        Matcher m = ENTRY.matcher(value);
        int at = 0;
        while (at < value.length()) {
            if (!m.find(at) || m.start() != at || m.end() == at) {
                throw new IllegalArgumentException("invalid rule at '" + value.substring(at) + "' (expected: "
                        + "DEFAULT or RULE:pattern/replacement/[LU], separated by commas)");
            }
            if (m.group(1) != null) {
                parsed.add(new Rule(Optional.empty(), "", ""));
            } else {
                try {
                    parsed.add(new Rule(Optional.of(Pattern.compile(m.group(2))), m.group(3), m.group(4)));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("invalid pattern in rule '" + m.group() + "': "
                            + e.getDescription());
                }
            }
            at = m.end();
        }
        return new SslPrincipalMapper(parsed);
    }

    /** The user name for {@code distinguishedName}, or empty if no rule applies. */
    public Optional<String> map(String distinguishedName) {
        for (Rule rule : rules) {
            Optional<String> name = rule.apply(distinguishedName);
            if (name.isPresent()) {
                return name;
            }
        }
        return Optional.empty();
    }
}
