package io.herald.server;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed arguments of {@code herald start}:
 * {@code start [--config FILE] [--override key=value]...}.
 *
 * <p>Mirrors Kafka's {@code kafka-server-start.sh CONFIG --override key=value}: overrides are
 * applied on top of the config file in command-line order, so a later override of the same key
 * wins. Both {@code --opt value} and {@code --opt=value} spellings are accepted.
 *
 * @param configFile the file named by {@code --config}; empty means "use the default file"
 * @param overrides  config overrides in command-line order (immutable)
 */
public record ServerArgs(Optional<Path> configFile, Map<String, String> overrides) {

    public static final String USAGE = "herald start [--config FILE] [--override key=value]...";

    private static final String CONFIG = "--config";
    private static final String OVERRIDE = "--override";

    public ServerArgs {
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    /** Parses the full argument vector, command included. */
    public static ServerArgs parse(List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("missing command (expected: start)");
        }
        if (!args.get(0).equals("start")) {
            throw new UsageException("unknown command '" + args.get(0) + "' (expected: start)");
        }
        Optional<Path> configFile = Optional.empty();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            String option = optionName(arg);
            String value;
            if (arg.length() > option.length()) {
                value = arg.substring(option.length() + 1); // --opt=value
            } else if (i + 1 < args.size() && isKnownOption(option)) {
                value = args.get(++i);
            } else if (isKnownOption(option)) {
                throw new UsageException(option + " needs a value");
            } else {
                throw failUnknown(arg);
            }
            switch (option) {
                case CONFIG -> {
                    if (configFile.isPresent()) {
                        throw new UsageException(CONFIG + " given more than once");
                    }
                    if (value.isBlank()) {
                        throw new UsageException(CONFIG + " needs a file name");
                    }
                    configFile = Optional.of(Path.of(value));
                }
                case OVERRIDE -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0 || value.substring(0, eq).isBlank()) {
                        throw new UsageException("bad " + OVERRIDE + " '" + value + "' (expected: key=value)");
                    }
                    String key = value.substring(0, eq).strip();
                    overrides.remove(key); // keep command-line order of the last occurrence
                    overrides.put(key, value.substring(eq + 1));
                }
                default -> throw failUnknown(arg);
            }
        }
        return new ServerArgs(configFile, overrides);
    }

    private static String optionName(String arg) {
        int eq = arg.indexOf('=');
        return arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
    }

    private static boolean isKnownOption(String option) {
        return option.equals(CONFIG) || option.equals(OVERRIDE);
    }

    private static UsageException failUnknown(String arg) {
        return arg.startsWith("-")
                ? new UsageException("unknown option '" + arg + "'")
                : new UsageException("unexpected argument '" + arg + "'");
    }
}
