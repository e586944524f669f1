package io.herald.cli.dlq;

import io.herald.cli.ClientCommand;
import io.herald.cli.Topics;
import io.herald.cli.format.Table;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;

/** {@code herald dlq list}: the dead-letter topics, with their partition and record counts. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists the topics with errors.deadletterqueue.group.enable=true and how many records they hold.")
public final class ListDeadLetterTopics extends ClientCommand {

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            Table table = new Table("TOPIC", "PARTITIONS", "RECORDS");
            for (String topic : DeadLetterTopics.find(admin)) {
                List<TopicPartition> partitions = Topics.partitions(admin, topic);
                Set<TopicPartition> set = new HashSet<>(partitions);
                Map<TopicPartition, Long> first = Topics.offsets(admin, set, OffsetSpec.earliest());
                Map<TopicPartition, Long> end = Topics.offsets(admin, set, OffsetSpec.latest());
                long records = partitions.stream().mapToLong(tp -> end.get(tp) - first.get(tp)).sum();
                table.row(topic, partitions.size(), records);
            }
            table.print(out());
        }
        return 0;
    }
}
