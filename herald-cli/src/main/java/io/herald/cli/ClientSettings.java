package io.herald.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The Kafka client configs a command connects with, resolved once from the command line, the environment and the
 * profile file.
 *
 * <p>{@code bootstrap.servers}, first found wins: {@code -b/--bootstrap-server}; {@code bootstrap.servers} given
 * with {@code -X} or in the {@code --command-config} file (both are on the command line too);
 * {@code $HERALD_BROKERS}; the profile's {@code bootstrap.servers}; {@value #DEFAULT_BOOTSTRAP}. Every other config,
 * later wins: the profile, then the {@code --command-config} file, then {@code -X}.
 *
 * @param bootstrapServers the resolved {@code bootstrap.servers}
 * @param configs          every other client config (immutable), without {@code bootstrap.servers}
 */
public record ClientSettings(String bootstrapServers, Map<String, String> configs) {

    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final String BROKERS_VARIABLE = "HERALD_BROKERS";
    private static final String BOOTSTRAP = "bootstrap.servers";

    public ClientSettings {
        configs = Map.copyOf(configs);
    }

    /** Resolves the settings of {@code options} in {@code environment}; a named profile that is missing fails. */
    public static ClientSettings resolve(ClientOptions options, CliEnvironment environment) {
        Profiles profiles = Profiles.load(environment);
        String profileName = options.profile().orElse(Profiles.DEFAULT);
        Map<String, String> profile = profiles.profile(profileName).orElseGet(() -> {
            if (options.profile().isPresent()) {
                throw new CliException("profile '" + profileName + "' is not defined in " + profiles.file());
            }
            return Map.of();
        });
        Map<String, String> commandLine = new LinkedHashMap<>();
        options.commandConfig().ifPresent(file -> commandLine.putAll(read(file)));
        commandLine.putAll(options.extraConfigs());

        Map<String, String> configs = new LinkedHashMap<>(profile);
        configs.putAll(commandLine);
        configs.remove(BOOTSTRAP);

        String bootstrap = options.bootstrapServer()
                .or(() -> nonBlank(commandLine.get(BOOTSTRAP)))
                .or(() -> environment.variable(BROKERS_VARIABLE))
                .or(() -> nonBlank(profile.get(BOOTSTRAP)))
                .orElse(DEFAULT_BOOTSTRAP);
        return new ClientSettings(bootstrap.strip(), configs);
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    private static Map<String, String> read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties props = new Properties();
            props.load(reader);
            Map<String, String> out = new LinkedHashMap<>();
            props.stringPropertyNames().forEach(key -> out.put(key, props.getProperty(key).strip()));
            return out;
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("cannot read --command-config " + file + ": " + Failures.message(e), e);
        }
    }
}
