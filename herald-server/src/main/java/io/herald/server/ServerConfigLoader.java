package io.herald.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Builds the broker's config map: the properties file, then the command-line overrides.
 *
 * <p>The file is {@code --config FILE} when given (it must exist), else
 * {@code config/server.properties} under {@code HERALD_HOME}, else under the working directory.
 * A missing default file is not an error: the broker then runs on its built-in defaults, as
 * DESIGN.md promises for {@code bin/herald start}.
 *
 * <p>Values are stripped of surrounding whitespace: a trailing blank after
 * {@code listeners=PLAINTEXT://:9092 } is invisible in an editor and java.util.Properties keeps
 * it. Stateless and thread-safe.
 */
public final class ServerConfigLoader {

    static final Path DEFAULT_CONFIG = Path.of("config", "server.properties");

    private ServerConfigLoader() {
    }

    /** The resolved config: where it came from (empty: built-in defaults) and the merged map. */
    public record LoadedConfig(Optional<Path> source, Map<String, String> props) {
    }

    public static LoadedConfig load(ServerArgs args, Optional<Path> heraldHome) throws StartupException {
        Optional<Path> file = args.configFile().or(() -> {
            Path candidate = heraldHome.map(home -> home.resolve(DEFAULT_CONFIG)).orElse(DEFAULT_CONFIG);
            return Files.exists(candidate) ? Optional.of(candidate) : Optional.empty();
        });
        Map<String, String> props = new LinkedHashMap<>();
        if (file.isPresent()) {
            props.putAll(read(file.get()));
        }
        args.overrides().forEach((key, value) -> props.put(key, value.strip()));
        return new LoadedConfig(file.map(path -> path.toAbsolutePath().normalize()), props);
    }

    private static Map<String, String> read(Path file) throws StartupException {
        if (!Files.isRegularFile(file)) {
            throw new StartupException("config file " + file.toAbsolutePath().normalize() + " does not exist");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a malformed \\uXXXX escape.
            throw new StartupException("cannot read config file " + file.toAbsolutePath().normalize() + ": " + e.getMessage(), e);
        }
        Map<String, String> props = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            props.put(name.strip(), properties.getProperty(name).strip());
        }
        return props;
    }
}
