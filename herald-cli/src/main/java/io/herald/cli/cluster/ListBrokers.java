package io.herald.cli.cluster;

import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.format.Table;
import java.util.Collection;
import java.util.Comparator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import picocli.CommandLine.Command;

/** {@code herald cluster brokers}: the brokers DescribeCluster returns, with the controller marked. */
@Command(name = "brokers", mixinStandardHelpOptions = true, description = "Lists the brokers.")
public final class ListBrokers extends ClientCommand {

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            DescribeClusterResult cluster = admin.describeCluster();
            Collection<Node> nodes = Failures.await(() -> cluster.nodes().get());
            Node controller = Failures.await(() -> cluster.controller().get());
            Table table = new Table("ID", "HOST", "PORT", "RACK", "CONTROLLER");
            nodes.stream().sorted(Comparator.comparingInt(Node::id)).forEach(n -> table.row(n.id(), n.host(),
                    n.port(), n.hasRack() ? n.rack() : "-",
                    controller != null && controller.id() == n.id() ? "yes" : "-"));
            table.print(out());
        }
        return 0;
    }
}
