package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code herald cluster ...} against a single-node Herald broker in this JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterCommandsTest extends AgainstHerald {


    @Test
    void brokersListsTheOneBrokerAsController() {
        Cli.Result r = cli.run("cluster", "brokers");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String port = herald.bootstrap().substring(herald.bootstrap().indexOf(':') + 1);
        assertThat(r.out().lines().toList()).hasSize(2);
        assertThat(r.out().lines().toList().get(0)).matches("ID\\s+HOST\\s+PORT\\s+RACK\\s+CONTROLLER");
        assertThat(r.out().lines().toList().get(1)).matches("\\d+\\s+127\\.0\\.0\\.1\\s+" + port + "\\s+-\\s+yes");
    }

    @Test
    void statusSummarisesIdBrokersQuorumAndFeatures() {
        Cli.Result r = cli.run("cluster", "status");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("(?m)^Cluster id:  \\S+$")
                .containsPattern("(?m)^Brokers:     1 \\(\\d+\\)$")
                .containsPattern("(?m)^Quorum:      .+$")
                .containsPattern("(?m)^Features:    .*metadata\\.version=\\d+");
    }

    @Test
    void quorumShowsTheLeaderAndItsLag() {
        Cli.Result r = cli.run("cluster", "quorum");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("(?m)^Leader: \\d+  Epoch: \\d+  High watermark: \\d+$")
                .containsPattern("(?m)^ID\\s+ROLE\\s+LOG-END-OFFSET\\s+LAG\\s+LAST-FETCH\\s+LAST-CAUGHT-UP$")
                .containsPattern("(?m)^\\d+\\s+leader\\s+\\d+\\s+0\\s");
    }
}
