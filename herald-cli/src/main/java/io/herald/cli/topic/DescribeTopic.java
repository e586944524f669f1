package io.herald.cli.topic;

import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import io.herald.cli.format.Table;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald topic describe TOPIC...}: per topic a summary line, the configs set on it (all of them with
 * {@code --all-configs}) and a table of partitions with leader, replicas and in-sync replicas.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Shows a topic's partitions, replicas and configs.")
public final class DescribeTopic extends ClientCommand {

    @Parameters(arity = "1..*", paramLabel = "TOPIC")
    List<String> topics;

    @Option(names = "--all-configs", description = "Show every config, not only those set on the topic.")
    boolean allConfigs;

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            boolean first = true;
            for (String topic : topics) {
                TopicDescription description = Topics.describe(admin, topic);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = Failures.await(() -> admin.describeConfigs(List.of(resource)).all().get())
                        .get(resource);
                if (!first) {
                    out().println();
                }
                first = false;
                print(description, config);
            }
        }
        return 0;
    }

    private void print(TopicDescription description, Config config) {
        List<TopicPartitionInfo> partitions = description.partitions();
        int replicationFactor = partitions.isEmpty() ? 0 : partitions.get(0).replicas().size();
        out().println("Topic: " + description.name() + "  TopicId: " + description.topicId()
                + "  PartitionCount: " + partitions.size() + "  ReplicationFactor: " + replicationFactor
                + (description.isInternal() ? "  Internal: true" : ""));
        out().println("Configs: " + configs(config));
        Table table = new Table("PARTITION", "LEADER", "REPLICAS", "ISR");
        for (TopicPartitionInfo p : partitions) {
            table.row(p.partition(), p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().id(),
                    ids(p.replicas()), ids(p.isr()));
        }
        table.print(out());
    }

    private String configs(Config config) {
        String shown = config.entries().stream()
                .filter(e -> allConfigs || e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .sorted(Comparator.comparing(ConfigEntry::name))
                .map(e -> e.name() + "=" + (e.isSensitive() ? "(sensitive)" : e.value()))
                .collect(Collectors.joining(","));
        return shown.isEmpty() ? "(none set)" : shown;
    }

    private static String ids(Collection<Node> nodes) {
        return nodes.isEmpty() ? "-" : nodes.stream().map(n -> Integer.toString(n.id()))
                .collect(Collectors.joining(","));
    }
}
