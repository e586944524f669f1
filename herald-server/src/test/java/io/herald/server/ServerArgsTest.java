package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerArgsTest {

    private static ServerArgs parse(String... args) throws UsageException {
        return ServerArgs.parse(List.of(args));
    }

    @Test
    void startWithoutOptionsUsesDefaultConfigAndNoOverrides() throws Exception {
        ServerArgs args = parse("start");
        assertThat(args.configFile()).isEmpty();
        assertThat(args.overrides()).isEmpty();
    }

    @Test
    void configFileAcceptsSeparateAndEqualsSpelling() throws Exception {
        assertThat(parse("start", "--config", "a/b.properties").configFile()).contains(Path.of("a/b.properties"));
        assertThat(parse("start", "--config=c.properties").configFile()).contains(Path.of("c.properties"));
    }

    @Test
    void overridesAreRepeatableKeepOrderAndLastOneWins() throws Exception {
        ServerArgs args = parse("start",
                "--override", "log.dirs=/tmp/x",
                "--override=listeners=PLAINTEXT://127.0.0.1:0",
                "--config", "server.properties",
                "--override", "log.dirs=/tmp/y");
        assertThat(args.overrides()).containsExactly(
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:0"),
                Map.entry("log.dirs", "/tmp/y"));
        assertThat(args.configFile()).contains(Path.of("server.properties"));
    }

    @Test
    void overrideValueMayContainEqualsAndBeEmpty() throws Exception {
        assertThat(parse("start", "--override", "sasl.jaas.config=a=b", "--override", "broker.rack=").overrides())
                .containsEntry("sasl.jaas.config", "a=b")
                .containsEntry("broker.rack", "");
    }

    @Test
    void overridesAreImmutable() throws Exception {
        assertThatThrownBy(() -> parse("start").overrides().put("a", "b"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void missingCommandIsRejected() {
        assertThatThrownBy(() -> parse()).isInstanceOf(UsageException.class).hasMessageContaining("missing command");
    }

    @Test
    void unknownCommandIsRejected() {
        assertThatThrownBy(() -> parse("stop"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown command 'stop' (expected: start)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--config", "--override"})
    void optionWithoutValueIsRejected(String option) {
        assertThatThrownBy(() -> parse("start", option))
                .isInstanceOf(UsageException.class)
                .hasMessage(option + " needs a value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-equals", "=value", " =value", ""})
    void overrideWithoutKeyIsRejected(String override) {
        assertThatThrownBy(() -> parse("start", "--override", override))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("expected: key=value");
    }

    @Test
    void secondConfigIsRejected() {
        assertThatThrownBy(() -> parse("start", "--config", "a", "--config", "b"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--config given more than once");
    }

    @Test
    void blankConfigIsRejected() {
        assertThatThrownBy(() -> parse("start", "--config="))
                .isInstanceOf(UsageException.class)
                .hasMessage("--config needs a file name");
    }

    @Test
    void unknownOptionAndStrayArgumentAreRejected() {
        assertThatThrownBy(() -> parse("start", "--daemon"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown option '--daemon'");
        assertThatThrownBy(() -> parse("start", "--verbose=1"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown option '--verbose=1'");
        assertThatThrownBy(() -> parse("start", "server.properties"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unexpected argument 'server.properties'");
    }
}
