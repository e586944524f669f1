package io.herald.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options that say which cluster to talk to and how, shared by every command that connects
 * ({@code @Mixin}). {@link ClientSettings} combines them with the environment and the profile file.
 */
public final class ClientOptions {

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT[,...]",
            description = "The cluster to talk to (default: $HERALD_BROKERS, then the profile's bootstrap.servers, "
                    + "then 127.0.0.1:9092).")
    String bootstrapServer;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "The profile of ~/.config/herald/profiles.properties to use (default: default).")
    String profile;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "A properties file of Kafka client configs (security.protocol, sasl.*, ...).")
    Path commandConfig;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "A Kafka client config, e.g. -X security.protocol=SSL (repeatable; wins over the files).")
    Map<String, String> extraConfigs = new LinkedHashMap<>();

    public Optional<String> bootstrapServer() {
        return Optional.ofNullable(bootstrapServer).filter(s -> !s.isBlank());
    }

    public Optional<String> profile() {
        return Optional.ofNullable(profile);
    }

    public Optional<Path> commandConfig() {
        return Optional.ofNullable(commandConfig);
    }

    public Map<String, String> extraConfigs() {
        return Map.copyOf(extraConfigs);
    }
}
