package io.herald.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The profile file, {@code $XDG_CONFIG_HOME/herald/profiles.properties} (or {@code ~/.config/herald/...} when
 * {@code XDG_CONFIG_HOME} is unset, as the XDG base-directory spec says): Java properties whose keys are
 * {@code <profile>.<client config>}, e.g.
 *
 * <pre>
 * default.bootstrap.servers=127.0.0.1:9092
 * prod.bootstrap.servers=kafka-1.prod:9093,kafka-2.prod:9093
 * prod.security.protocol=SSL
 * </pre>
 *
 * <p>A profile name cannot contain a dot: the first dot ends it. Immutable once loaded.
 */
public final class Profiles {

    /** The profile used without {@code --profile}. */
    public static final String DEFAULT = "default";

    private final Path file;
    private final Optional<Properties> properties;

    private Profiles(Path file, Optional<Properties> properties) {
        this.file = file;
        this.properties = properties;
    }

    /** Where the profile file of {@code environment} is, whether or not it exists. */
    public static Path location(CliEnvironment environment) {
        Path configHome = environment.variable("XDG_CONFIG_HOME").map(Path::of)
                .orElseGet(() -> environment.userHome().resolve(".config"));
        return configHome.resolve("herald").resolve("profiles.properties");
    }

    /** Reads the profile file of {@code environment}; a missing file is a file without profiles. */
    public static Profiles load(CliEnvironment environment) {
        Path file = location(environment);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties props = new Properties();
            props.load(reader);
            return new Profiles(file, Optional.of(props));
        } catch (NoSuchFileException e) {
            return new Profiles(file, Optional.empty());
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("cannot read the profile file " + file + ": " + Failures.message(e), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The client configs of {@code name} (the keys without the {@code <name>.} prefix); empty if it has none. */
    public Optional<Map<String, String>> profile(String name) {
        if (properties.isEmpty()) {
            return Optional.empty();
        }
        String prefix = name + ".";
        Map<String, String> configs = new TreeMap<>();
        for (String key : properties.get().stringPropertyNames()) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                configs.put(key.substring(prefix.length()), properties.get().getProperty(key).strip());
            }
        }
        return configs.isEmpty() ? Optional.empty() : Optional.of(configs);
    }
}
