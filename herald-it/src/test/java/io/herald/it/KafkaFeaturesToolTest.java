package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.it.KafkaTool.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-features.sh} (org.apache.kafka.tools.FeatureCommand 4.3.1, run as its own JVM as the
 * script runs it) against the launched broker: describe, upgrade, downgrade, disable, each also as
 * {@code --dry-run}, with the output compared to what the same commands print against Apache Kafka 4.3.1.
 *
 * <p>The reference, Kafka 4.3.1 (single node, KRaft, node id 1, new cluster); {@code describe} prints, padded to
 * columns, one line per feature ({@code <epoch>} is the metadata offset of the last change):
 * <pre>
 * Feature: eligible.leader.replicas.version  SupportedMinVersion: 0  SupportedMaxVersion: 1  FinalizedVersionLevel: 1  Epoch: 17487
 * Feature: group.version                     SupportedMinVersion: 0  SupportedMaxVersion: 1  FinalizedVersionLevel: 1  Epoch: 17487
 * Feature: kraft.version                     SupportedMinVersion: 0  SupportedMaxVersion: 1  FinalizedVersionLevel: 1  Epoch: 17487
 * Feature: metadata.version                  SupportedMinVersion: 3.3-IV3  SupportedMaxVersion: 4.3-IV0  FinalizedVersionLevel: 4.3-IV0  Epoch: 17487
 * Feature: share.version                     SupportedMinVersion: 0  SupportedMaxVersion: 1  FinalizedVersionLevel: 1  Epoch: 17487
 * Feature: streams.version                   SupportedMinVersion: 0  SupportedMaxVersion: 1  FinalizedVersionLevel: 1  Epoch: 17487
 * Feature: transaction.version               SupportedMinVersion: 0  SupportedMaxVersion: 2  FinalizedVersionLevel: 2  Epoch: 17487
 * </pre>
 * and, exit code 0 unless said otherwise:
 * <pre>
 * upgrade --feature group.version=1               group.version was upgraded to 1.
 * upgrade --feature group.version=1 --dry-run     group.version can be upgraded to 1.
 * downgrade --feature share.version=0 --dry-run   share.version can be downgraded to 0.
 * disable --feature group.version --dry-run       group.version can be disabled.
 * upgrade --feature transaction.version=3 --dry-run        (exit code 1)
 *   Can not upgrade transaction.version to 3. The update failed for all features since the following feature
 *   had an error: Invalid update version 3 for feature transaction.version. Local controller 1 only supports
 *   versions 0-2
 *   and on stderr: 1 out of 1 operation(s) failed.
 * upgrade --feature transaction.version=3          the same, starting "Could not upgrade"
 * upgrade --feature transaction.version=1 --dry-run        (exit code 1)
 *   Can not upgrade transaction.version to 1. The update failed for all features since the following feature
 *   had an error: Invalid update version 1 for feature transaction.version. Can't downgrade the version of this
 *   feature without setting the upgrade type to either safe or unsafe downgrade.
 * upgrade --feature foo.version=1 --dry-run                (exit code 1)
 *   Can not upgrade foo.version to 1. ... Invalid update version 1 for feature foo.version. Local controller 1
 *   does not support this feature.
 * upgrade --feature streams.version=1 --dry-run   streams.version can be upgraded to 1.
 * upgrade --release-version 4.3 --dry-run         one line per feature, "X can be upgraded to N.", for
 *                                                 eligible.leader.replicas.version=1 group.version=1
 *                                                 kraft.version=1 metadata.version=30 share.version=1
 *                                                 streams.version=1 transaction.version=2
 * </pre>
 * Differences that come from Herald's feature set (see BrokerFeatures): {@code metadata.version} is supported
 * from 4.3-IV0 only; {@code kraft.version}, {@code streams.version} and {@code eligible.leader.replicas.version}
 * are supported at 0 only, so describe shows them at 0 and upgrading them is refused with the unknown feature's
 * "does not support this feature."; so {@code upgrade --release-version 4.3}, which asks for all seven in one
 * request, is refused as a whole, as Kafka refuses a request naming a level one of its nodes does not support.
 * The epoch is Herald's metadata log index.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaFeaturesToolTest {
    private static final String REFUSED = "The update failed for all features since the following feature had an "
            + "error: ";
    private static final Pattern DESCRIBED = Pattern.compile("Feature: (\\S+)\\s+SupportedMinVersion: (\\S+)\\s+"
            + "SupportedMaxVersion: (\\S+)\\s+FinalizedVersionLevel: (\\S+)\\s+Epoch: (\\S+)");

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new LaunchedBroker(workDir, Map.of("num.partitions", "1"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** One described feature: the tool's columns. */
    private record Described(String feature, String min, String max, String finalized, String epoch) {}

    private static Run tool(String... args) throws Exception {
        return KafkaTool.run(workDir, "org.apache.kafka.tools.FeatureCommand", broker.bootstrapServers(), args);
    }

    private static String ok(String... args) throws Exception {
        Run run = tool(args);
        assertThat(run.exitCode()).as("%s exit code; stderr: %s", List.of(args), run.stderr()).isZero();
        return run.stdout().strip();
    }

    private static String refused(String... args) throws Exception {
        Run run = tool(args);
        assertThat(run.exitCode()).as("%s exit code; stdout: %s", List.of(args), run.stdout()).isEqualTo(1);
        assertThat(run.stderr()).contains("1 out of 1 operation(s) failed.");
        return run.stdout().strip();
    }

    private static List<Described> describe() throws Exception {
        List<Described> features = new ArrayList<>();
        for (String line : ok("describe").lines().toList()) {
            Matcher m = DESCRIBED.matcher(line);
            assertThat(m.matches()).as("a describe line: %s", line).isTrue();
            features.add(new Described(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
        }
        return features;
    }

    @Test
    void describeShowsKafka43LevelsForWhatHeraldImplements() throws Exception {
        List<Described> features = describe();

        String epoch = features.get(0).epoch();
        assertThat(Long.parseLong(epoch)).isPositive();
        assertThat(features).containsExactly(
                new Described("eligible.leader.replicas.version", "0", "0", "0", epoch),
                new Described("group.version", "0", "1", "1", epoch),
                new Described("kraft.version", "0", "0", "0", epoch),
                new Described("metadata.version", "4.3-IV0", "4.3-IV0", "4.3-IV0", epoch),
                new Described("share.version", "0", "1", "1", epoch),
                new Described("streams.version", "0", "0", "0", epoch),
                new Described("transaction.version", "0", "2", "2", epoch));
    }

    @Test
    void dryRunsAnswerAsKafkaAndChangeNothing() throws Exception {
        List<Described> before = describe();

        assertThat(ok("upgrade", "--feature", "group.version=1", "--dry-run"))
                .isEqualTo("group.version can be upgraded to 1.");
        assertThat(ok("downgrade", "--feature", "share.version=0", "--dry-run"))
                .isEqualTo("share.version can be downgraded to 0.");
        assertThat(ok("disable", "--feature", "group.version", "--dry-run"))
                .isEqualTo("group.version can be disabled.");
        assertThat(refused("upgrade", "--feature", "transaction.version=3", "--dry-run"))
                .isEqualTo("Can not upgrade transaction.version to 3. " + REFUSED + "Invalid update version 3 for "
                        + "feature transaction.version. Local controller 1 only supports versions 0-2");
        assertThat(refused("upgrade", "--feature", "transaction.version=1", "--dry-run"))
                .isEqualTo("Can not upgrade transaction.version to 1. " + REFUSED + "Invalid update version 1 for "
                        + "feature transaction.version. Can't downgrade the version of this feature without setting "
                        + "the upgrade type to either safe or unsafe downgrade.");
        assertThat(refused("upgrade", "--feature", "foo.version=1", "--dry-run"))
                .isEqualTo("Can not upgrade foo.version to 1. " + REFUSED + "Invalid update version 1 for feature "
                        + "foo.version. Local controller 1 does not support this feature.");
        // Kafka: "streams.version can be upgraded to 1." (it implements KIP-1071; Herald does not)
        assertThat(refused("upgrade", "--feature", "streams.version=1", "--dry-run"))
                .isEqualTo("Can not upgrade streams.version to 1. " + REFUSED + "Invalid update version 1 for "
                        + "feature streams.version. Local controller 1 does not support this feature.");

        Run release = tool("upgrade", "--release-version", "4.3", "--dry-run");
        assertThat(release.exitCode()).isEqualTo(1);
        assertThat(release.stderr()).contains("7 out of 7 operation(s) failed.");
        String why = REFUSED + "Invalid update version 1 for feature eligible.leader.replicas.version. Local "
                + "controller 1 does not support this feature.";
        assertThat(release.stdout().strip().lines()).containsExactly(
                "Can not upgrade eligible.leader.replicas.version to 1. " + why,
                "Can not upgrade group.version to 1. " + why,
                "Can not upgrade kraft.version to 1. " + why,
                "Can not upgrade metadata.version to 30. " + why,
                "Can not upgrade share.version to 1. " + why,
                "Can not upgrade streams.version to 1. " + why,
                "Can not upgrade transaction.version to 2. " + why);

        assertThat(describe()).isEqualTo(before);
    }

    @Test
    void downgradeThenUpgradeChangesTheLevelAndTheEpoch() throws Exception {
        long epoch = Long.parseLong(describe().get(0).epoch());

        assertThat(ok("upgrade", "--feature", "group.version=1")).isEqualTo("group.version was upgraded to 1.");
        assertThat(refused("upgrade", "--feature", "transaction.version=3"))
                .startsWith("Could not upgrade transaction.version to 3. " + REFUSED);
        assertThat(ok("downgrade", "--feature", "transaction.version=1"))
                .isEqualTo("transaction.version was downgraded to 1.");
        List<Described> downgraded = describe();
        assertThat(downgraded).filteredOn(d -> d.feature().equals("transaction.version")).singleElement()
                .satisfies(d -> assertThat(d.finalized()).isEqualTo("1"));
        long downgradedEpoch = Long.parseLong(downgraded.get(0).epoch());
        assertThat(downgradedEpoch).isGreaterThan(epoch);

        assertThat(ok("upgrade", "--feature", "transaction.version=2"))
                .isEqualTo("transaction.version was upgraded to 2.");
        List<Described> upgraded = describe();
        assertThat(upgraded).filteredOn(d -> d.feature().equals("transaction.version")).singleElement()
                .satisfies(d -> assertThat(d.finalized()).isEqualTo("2"));
        assertThat(Long.parseLong(upgraded.get(0).epoch())).isGreaterThan(downgradedEpoch);
    }
}
