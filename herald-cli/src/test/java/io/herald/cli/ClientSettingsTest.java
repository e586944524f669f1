package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientSettingsTest {

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();

    private CliEnvironment environment() {
        return new CliEnvironment(new ByteArrayInputStream(new byte[0]), env, home, false);
    }

    private static ClientOptions options(String bootstrap, String profile) {
        ClientOptions options = new ClientOptions();
        options.bootstrapServer = bootstrap;
        options.profile = profile;
        return options;
    }

    private void profiles(Path configHome, String text) throws IOException {
        Path file = configHome.resolve("herald").resolve("profiles.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @BeforeEach
    void defaultProfile() throws IOException {
        profiles(home.resolve(".config"), """
                default.bootstrap.servers=profile:9092
                default.client.id=from-profile
                prod.bootstrap.servers=prod:9093
                prod.security.protocol=SSL
                """);
    }

    @Test
    void flagWinsOverEnvironmentOverProfileOverDefault() {
        env.put("HERALD_BROKERS", "env:9092");
        assertThat(ClientSettings.resolve(options("flag:9092", null), environment()).bootstrapServers())
                .isEqualTo("flag:9092");
        assertThat(ClientSettings.resolve(options(null, null), environment()).bootstrapServers())
                .isEqualTo("env:9092");
        env.clear();
        assertThat(ClientSettings.resolve(options(null, null), environment()).bootstrapServers())
                .isEqualTo("profile:9092");
        assertThat(ClientSettings.resolve(options(null, "prod"), environment()).bootstrapServers())
                .isEqualTo("prod:9093");
    }

    @Test
    void withoutAnythingItIsTheLocalDefault() throws IOException {
        Files.delete(home.resolve(".config/herald/profiles.properties"));
        ClientSettings settings = ClientSettings.resolve(options(null, null), environment());
        assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(settings.configs()).isEmpty();
    }

    @Test
    void theProfilesOtherConfigsApplyAndLaterSourcesWin() throws IOException {
        Path commandConfig = home.resolve("client.properties");
        Files.writeString(commandConfig, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n");
        ClientOptions options = options(null, "prod");
        options.commandConfig = commandConfig;
        options.extraConfigs.put("sasl.mechanism", "SCRAM-SHA-512");
        ClientSettings settings = ClientSettings.resolve(options, environment());
        assertThat(settings.configs()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));
        assertThat(settings.bootstrapServers()).isEqualTo("prod:9093");
    }

    @Test
    void bootstrapServersOnTheCommandLineWinOverTheEnvironment() {
        env.put("HERALD_BROKERS", "env:9092");
        ClientOptions options = options(null, null);
        options.extraConfigs.put("bootstrap.servers", "x:1");
        ClientSettings settings = ClientSettings.resolve(options, environment());
        assertThat(settings.bootstrapServers()).isEqualTo("x:1");
        assertThat(settings.configs()).doesNotContainKey("bootstrap.servers");
    }

    @Test
    void honoursXdgConfigHome() throws IOException {
        Path xdg = home.resolve("xdg");
        profiles(xdg, "default.bootstrap.servers=xdg:9092\n");
        env.put("XDG_CONFIG_HOME", xdg.toString());
        assertThat(ClientSettings.resolve(options(null, null), environment()).bootstrapServers())
                .isEqualTo("xdg:9092");
    }

    @Test
    void aNamedProfileThatIsNotDefinedFails() {
        assertThatThrownBy(() -> ClientSettings.resolve(options(null, "staging"), environment()))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("profile 'staging' is not defined in ")
                .hasMessageEndingWith("profiles.properties");
    }
}
