package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command tests' common ground: one Herald broker in this JVM per test class, a {@link Cli} pointed at it
 * (with its own home directory, so no profile of the machine applies), and the check that a command succeeded.
 */
abstract class AgainstHerald {
    @TempDir
    static Path dir;
    static TestHerald herald;
    static Cli cli;

    @BeforeAll
    static void startHerald() throws Exception {
        herald = TestHerald.start(dir.resolve("logs"));
        cli = Cli.against(herald.bootstrap(), dir);
    }

    @AfterAll
    static void stopHerald() {
        herald.close();
    }

    /** {@code r}, which must have exited 0. */
    static Cli.Result ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    /** Runs the command, which must exit 0. */
    static Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }
}
