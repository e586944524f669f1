package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void overridesWinOverFileAndValuesAreStripped() throws Exception {
        Path file = Files.writeString(dir.resolve("s.properties"), """
                # comment
                node.id=1
                listeners=PLAINTEXT://127.0.0.1:9092\s\s
                log.dirs=./data
                """);
        ServerArgs args = ServerArgs.parse(List.of("start", "--config", file.toString(),
                "--override", "log.dirs=/tmp/other", "--override", "num.partitions=4"));

        ServerConfigLoader.LoadedConfig loaded = ServerConfigLoader.load(args, Optional.empty());

        assertThat(loaded.source()).contains(file.toAbsolutePath().normalize());
        assertThat(loaded.props())
                .containsEntry("node.id", "1")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092")
                .containsEntry("log.dirs", "/tmp/other")
                .containsEntry("num.partitions", "4");
    }

    @Test
    void defaultFileIsFoundUnderHeraldHome() throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/server.properties"), "node.id=7\n");

        ServerConfigLoader.LoadedConfig loaded =
                ServerConfigLoader.load(ServerArgs.parse(List.of("start")), Optional.of(dir));

        assertThat(loaded.props()).containsEntry("node.id", "7");
    }

    @Test
    void missingDefaultFileMeansBuiltInDefaults() throws Exception {
        ServerConfigLoader.LoadedConfig loaded = ServerConfigLoader.load(
                ServerArgs.parse(List.of("start", "--override", "node.id=2")), Optional.of(dir));

        assertThat(loaded.source()).isEmpty();
        assertThat(loaded.props()).containsOnlyKeys("node.id");
    }

    @Test
    void missingExplicitFileIsAnError() throws Exception {
        ServerArgs args = ServerArgs.parse(List.of("start", "--config", dir.resolve("nope.properties").toString()));

        assertThatThrownBy(() -> ServerConfigLoader.load(args, Optional.empty()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("nope.properties does not exist");
    }

    @Test
    void malformedEscapeIsAnErrorNotACrash() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.properties"), "a=\\u12\n");
        ServerArgs args = ServerArgs.parse(List.of("start", "--config", file.toString()));

        assertThatThrownBy(() -> ServerConfigLoader.load(args, Optional.empty()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("cannot read config file");
    }
}
