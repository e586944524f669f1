package io.herald.cli.cluster;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.format.Table;
import java.time.Instant;
import java.util.OptionalLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import picocli.CommandLine.Command;

/**
 * {@code herald cluster quorum}: the metadata quorum (DescribeQuorum, KIP-595/KIP-836), as
 * {@code kafka-metadata-quorum describe --status --replication} shows it: the leader, its epoch and high watermark,
 * and per voter and observer its log end offset and lag behind the leader.
 */
@Command(name = "quorum", mixinStandardHelpOptions = true, description = "Shows the metadata quorum's replicas.")
public final class DescribeQuorum extends ClientCommand {

    @Override
    protected int run() {
        QuorumInfo info;
        try (Admin admin = clients().admin()) {
            info = Failures.await(() -> admin.describeMetadataQuorum().quorumInfo().get());
        } catch (UnsupportedVersionException e) {
            throw new CliException("the cluster does not describe its metadata quorum (" + Failures.message(e) + ")");
        }
        long leaderEnd = info.voters().stream().filter(v -> v.replicaId() == info.leaderId())
                .mapToLong(QuorumInfo.ReplicaState::logEndOffset).findFirst().orElse(info.highWatermark());
        out().println("Leader: " + info.leaderId() + "  Epoch: " + info.leaderEpoch() + "  High watermark: "
                + info.highWatermark());
        Table table = new Table("ID", "ROLE", "LOG-END-OFFSET", "LAG", "LAST-FETCH", "LAST-CAUGHT-UP");
        info.voters().forEach(v -> row(table, v, v.replicaId() == info.leaderId() ? "leader" : "voter", leaderEnd));
        info.observers().forEach(o -> row(table, o, "observer", leaderEnd));
        table.print(out());
        return 0;
    }

    private static void row(Table table, QuorumInfo.ReplicaState replica, String role, long leaderEnd) {
        table.row(replica.replicaId(), role, replica.logEndOffset(), Math.max(0, leaderEnd - replica.logEndOffset()),
                time(replica.lastFetchTimestamp()), time(replica.lastCaughtUpTimestamp()));
    }

    private static String time(OptionalLong epochMillis) {
        return epochMillis.isPresent() && epochMillis.getAsLong() > 0
                ? Instant.ofEpochMilli(epochMillis.getAsLong()).toString() : "-";
    }
}
