package io.herald.common.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The golden fixtures of one binary format: checked-in bytes that the format's code must keep decoding to the
 * same record, and that the current version must keep encoding to, byte for byte. A round-trip test passes for
 * a change that can no longer read an existing log or snapshot; these do not.
 *
 * <p><b>Layout</b>: {@code src/test/resources/golden/<format>/<fixture>.hex} of the module under test, one
 * {@link GoldenFixture} a file, read from the test classpath. Fixture names are
 * {@code <record-type>-v<version>[-<variant>]}, or {@code <record-type>-tombstone} for a tombstone.
 *
 * <p><b>Never rewritten by a normal test run.</b> A normal run only reads: a missing or different fixture
 * fails the test. To create the fixtures of a new record type or version, run the module's golden tests by hand
 * with the system property {@value #WRITE_PROPERTY}:
 * <pre>
 * mvn -o -pl herald-metadata -am test -Dtest='*GoldenTest' -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dherald.golden.write=missing
 * </pre>
 * {@code missing} writes only fixtures that do not exist yet (an existing one that differs still fails), so it
 * cannot hide a compatibility break; commit the new files on their own. {@code all} also rewrites existing
 * fixtures: that declares their bytes unreadable from now on, which is right only for a fixture that never
 * shipped. Files are written under the module's directory (surefire's {@code basedir}).
 *
 * <p>Not thread-safe; meant for JUnit tests.
 */
public final class GoldenFixtures {
    /** The system property that turns on writing: {@code missing} or {@code all}. */
    public static final String WRITE_PROPERTY = "herald.golden.write";

    private static final String ROOT = "golden";
    private static final String SUFFIX = ".hex";

    private enum WriteMode { NONE, MISSING, ALL }

    private final String format;
    private final WriteMode mode;

    private GoldenFixtures(String format, WriteMode mode) {
        this.format = format;
        this.mode = mode;
    }

    /** The fixtures under {@code golden/<format>/}. */
    public static GoldenFixtures of(String format) {
        if (!format.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("format directory: " + format + " (expected: [a-z0-9-]+)");
        }
        return new GoldenFixtures(format, writeMode());
    }

    private static WriteMode writeMode() {
        String value = System.getProperty(WRITE_PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "false", "none" -> WriteMode.NONE;
            case "missing", "true" -> WriteMode.MISSING;
            case "all" -> WriteMode.ALL;
            default -> throw new IllegalArgumentException(WRITE_PROPERTY + "=" + value
                    + " (expected: missing or all)");
        };
    }

    /**
     * Checks that the current encoder wrote {@code encoded} for fixture {@code name}. In write mode, creates the
     * fixture if it is missing (or rewrites it with {@code all}), with {@code description} as its comment.
     */
    public void verify(String name, String description, GoldenFixture encoded) {
        if (mode == WriteMode.ALL || (mode == WriteMode.MISSING && !exists(name))) {
            write(name, description, encoded);
            return;
        }
        assertThat(encoded.render())
                .as("bytes of golden fixture %s/%s (%s)", format, name, description)
                .isEqualTo(read(name).render());
    }

    /**
     * For a version the code no longer writes: in write mode, creates fixture {@code name} from {@code written}
     * if it is missing; otherwise does nothing. Such fixtures are only decoded by the tests.
     */
    public void seed(String name, String description, GoldenFixture written) {
        if (mode == WriteMode.ALL || (mode == WriteMode.MISSING && !exists(name))) {
            write(name, description, written);
        }
    }

    /** The stored fixture; fails if there is none. */
    public GoldenFixture read(String name) {
        try (InputStream in = open(name)) {
            return GoldenFixture.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the stored fixtures of this format. */
    public SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        URL dir = loader().getResource(ROOT + "/" + format);
        if (dir != null) {
            names.addAll(list(toPath(dir)));
        }
        if (mode != WriteMode.NONE && Files.isDirectory(sourceDir())) {
            names.addAll(list(sourceDir()));
        }
        return names;
    }

    private InputStream open(String name) throws IOException {
        InputStream in = loader().getResourceAsStream(resource(name));
        if (in != null) {
            return in;
        }
        // Written in this run: not yet copied to the test classpath.
        if (mode != WriteMode.NONE && Files.exists(sourceFile(name))) {
            return Files.newInputStream(sourceFile(name));
        }
        throw new AssertionError("no golden fixture " + resource(name) + " on the test classpath; create it with -D"
                + WRITE_PROPERTY + "=missing (see GoldenFixtures)");
    }

    private boolean exists(String name) {
        return loader().getResource(resource(name)) != null || Files.exists(sourceFile(name));
    }

    private void write(String name, String description, GoldenFixture fixture) {
        String text = "# Golden fixture " + format + "/" + name + ": " + description + "\n"
                + "# Bytes written by the code of this version. Tests decode them on every run and never rewrite them;\n"
                + "# see io.herald.common.codec.GoldenFixtures (herald-common, test scope).\n"
                + fixture.render();
        try {
            Files.createDirectories(sourceDir());
            Files.writeString(sourceFile(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.err.println("Wrote golden fixture " + sourceFile(name));
    }

    private String resource(String name) {
        if (!name.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("fixture name: " + name + " (expected: [a-z0-9-]+)");
        }
        return ROOT + "/" + format + "/" + name + SUFFIX;
    }

    private Path sourceDir() {
        String module = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(module, "src", "test", "resources", ROOT, format);
    }

    private Path sourceFile(String name) {
        return sourceDir().resolve(name + SUFFIX);
    }

    private static SortedSet<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            SortedSet<String> names = new TreeSet<>();
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(SUFFIX))
                    .forEach(f -> names.add(f.substring(0, f.length() - SUFFIX.length())));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path toPath(URL url) {
        if (!"file".equals(url.getProtocol())) {
            throw new IllegalStateException("golden fixtures must be a directory on the test classpath: " + url);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ClassLoader loader() {
        return Thread.currentThread().getContextClassLoader();
    }
}
