package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeraldMainTest {

    @Test
    void boundListenerReplacesConfiguredPortWithBoundOne() {
        assertThat(HeraldMain.boundListener("PLAINTEXT://127.0.0.1:0", "PLAINTEXT", 41234))
                .isEqualTo("PLAINTEXT://127.0.0.1:41234");
        assertThat(HeraldMain.boundListener("CONTROLLER://:9093, PLAINTEXT://:9092", "PLAINTEXT", 9092))
                .isEqualTo("PLAINTEXT://:9092");
        assertThat(HeraldMain.boundListener("", "PLAINTEXT", 9092)).isEqualTo("PLAINTEXT://:9092");
        assertThat(HeraldMain.boundListener("SASL_SSL://127.0.0.1:0", "SASL_SSL", 9093))
                .as("the client listener, whatever its name").isEqualTo("SASL_SSL://127.0.0.1:9093");
    }

    @Test
    void logDirsAreShownAbsolute() {
        assertThat(HeraldMain.logDirs(List.of(Path.of("/a"), Path.of("/b/../c")))).isEqualTo("/a,/c");
        assertThat(HeraldMain.logDirs(List.of(Path.of("data")))).isEqualTo(Path.of("data").toAbsolutePath().toString());
    }

    @Test
    void invalidConfigValueIsAStartupErrorNamingTheConfig(@TempDir Path home) {
        assertThatThrownBy(() -> HeraldMain.start(
                ServerArgs.parse(List.of("start", "--override", "num.partitions=many")), Optional.of(home)))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("invalid configuration: ")
                .hasMessageContaining("num.partitions");
    }
}
