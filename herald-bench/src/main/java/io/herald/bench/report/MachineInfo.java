package io.herald.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine the numbers came from, for the report header. The disk figure is {@code dd} writing 512 MiB with
 * {@code conv=fdatasync} into the directory the brokers' data goes to.
 */
public record MachineInfo(int cores, String memory, String cpu, String jdk, String os, String diskWrite) {
    private static final Pattern DD_RATE = Pattern.compile("([0-9.,]+)\\s*([kMG]B)/s");

    public static MachineInfo probe(Path dataParent) {
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                memTotal(),
                cpuModel(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                diskWrite(dataParent));
    }

    private static String memTotal() {
        return procLine("/proc/meminfo", "MemTotal:")
                .map(v -> String.format("%.1f GiB", Long.parseLong(v.replace("kB", "").trim()) / 1024.0 / 1024.0))
                .orElse("n/a");
    }

    private static String cpuModel() {
        return procLine("/proc/cpuinfo", "model name").map(v -> v.replaceFirst("^\\s*:\\s*", "")).orElse("n/a");
    }

    private static Optional<String> procLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim()).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Runs dd in {@code dir} and returns e.g. "412 MB/s", or why it could not. */
    static String diskWrite(Path dir) {
        Path target = dir.resolve("dd.tmp");
        try {
            Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + target, "bs=1M", "count=512",
                    "conv=fdatasync").redirectErrorStream(true).start();
            String output = new String(dd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!dd.waitFor(120, TimeUnit.SECONDS) || dd.exitValue() != 0) {
                dd.destroyForcibly();
                return "n/a (dd failed: " + output.strip().replace('\n', ' ') + ")";
            }
            return parseDdRate(output).orElse("n/a (unparsed dd output)");
        } catch (IOException e) {
            return "n/a (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a (interrupted)";
        } finally {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the whole temp dir goes at the end anyway
            }
        }
    }

    /** Parses the rate from dd's last line: "536870912 bytes (537 MB, 512 MiB) copied, 1.3 s, 413 MB/s". */
    static Optional<String> parseDdRate(String ddOutput) {
        List<String> lines = ddOutput.strip().lines().toList();
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DD_RATE.matcher(lines.get(lines.size() - 1));
        String found = null;
        while (m.find()) {
            found = m.group(1).replace(',', '.') + " " + m.group(2) + "/s";
        }
        return Optional.ofNullable(found);
    }
}
