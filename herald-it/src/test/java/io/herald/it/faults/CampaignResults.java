package io.herald.it.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The campaign's results table: one markdown row per scenario, appended to the file named by the system
 * property {@code herald.faults.results} (default {@code target/faults-results.md} in the module), which
 * {@code bin/faults} turns into {@code bench-results/faults-<date>.md}.
 *
 * <p>A scenario stores what it measured with {@link #measured}; this JUnit watcher writes the row when the
 * test ends, with the test's status (pass, FAIL with the first line of the failure, or skipped with the
 * assumption's reason), so failed and skipped scenarios appear in the table too. Thread-safe.
 */
public final class CampaignResults implements TestWatcher {

    static final String HEADER = "| scenario | result | acked | lost | dup | reordered | unacked present "
            + "| longest ack gap ms | group commits (failures) | replicas = below HW | notes |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|\n";

    private static final Map<String, FaultWorkload.Outcome> MEASURED = new ConcurrentHashMap<>();
    private static final Map<String, String> NOTES = new ConcurrentHashMap<>();

    /** Records a scenario's outcome and a note (timings, what was skipped) for its row. */
    static void measured(String scenario, FaultWorkload.Outcome outcome, String note) {
        MEASURED.put(scenario, outcome);
        NOTES.put(scenario, note);
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        write(context, "pass", Optional.empty());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        write(context, "**FAIL**", Optional.of(cause));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        write(context, "skipped", Optional.of(cause));
    }

    private static void write(ExtensionContext context, String status, Optional<Throwable> cause) {
        String scenario = context.getRequiredTestMethod().getName();
        FaultWorkload.Outcome outcome = MEASURED.remove(scenario);
        String note = NOTES.getOrDefault(scenario, "");
        NOTES.remove(scenario);
        String why = cause.map(t -> String.valueOf(t.getMessage()).lines().findFirst().orElse("")).orElse("");
        StringBuilder row = new StringBuilder("| ").append(scenario).append(" | ").append(status).append(" | ");
        if (outcome == null) {
            row.append("- | - | - | - | - | - | - | - | ");
        } else {
            FaultChecker.Report r = outcome.report();
            row.append(r.sum(FaultChecker.PartitionReport::acknowledged)).append(" | ")
                    .append(r.sum(FaultChecker.PartitionReport::lost)).append(" | ")
                    .append(r.sum(FaultChecker.PartitionReport::duplicated)).append(" | ")
                    .append(r.sum(FaultChecker.PartitionReport::reordered)).append(" | ")
                    .append(r.sum(FaultChecker.PartitionReport::unackedPresent)).append(" | ")
                    .append(r.longestGapMs()).append(" | ")
                    .append(outcome.groupCommits()).append(" (").append(outcome.groupFailures()).append(") ")
                    .append(r.sum(FaultChecker.PartitionReport::commitRegressions) == 0 ? "monotonic" : "REGRESSED")
                    .append(" | ").append(r.replicasIdentical() ? "yes" : "NO").append(" | ");
            if (!outcome.observations().isEmpty()) {
                note = String.join("; ", note, String.join("; ", outcome.observations()));
            }
            if (!outcome.passed()) {
                why = outcome.summary() + (why.isEmpty() ? "" : "; " + why);
            }
        }
        row.append(escape(String.join(" ", note, why).strip())).append(" |\n");
        append(row.toString());
    }

    private static String escape(String text) {
        String flat = text.replace('|', '/').replace('\n', ' ');
        return flat.length() > 400 ? flat.substring(0, 400) + "..." : flat;
    }

    private static synchronized void append(String row) {
        Path file = Path.of(System.getProperty("herald.faults.results", "target/faults-results.md"));
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            if (!Files.exists(file)) {
                Files.writeString(file, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print("fault campaign: " + row);
    }
}
