package io.herald.cli.topic;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald topic add-partitions TOPIC (--total N | --add N)}. Partitions can only be added (Kafka has no way
 * to remove them), and keyed records may map to other partitions afterwards: the help says so.
 */
@Command(name = "add-partitions", mixinStandardHelpOptions = true,
        description = {"Adds partitions to a topic.",
                "Records with a key may go to a different partition afterwards (the key's hash is taken modulo "
                        + "the partition count)."})
public final class AddPartitions extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Count count;

    static final class Count {
        @Option(names = "--total", paramLabel = "N", required = true, description = "The new partition count.")
        Integer total;

        @Option(names = "--add", paramLabel = "N", required = true, description = "How many partitions to add.")
        Integer add;
    }

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            int current = Topics.describe(admin, topic).partitions().size();
            int total = count.total != null ? count.total : current + count.add;
            if (total <= current) {
                throw new CliException("topic '" + topic + "' has " + current + " partitions already; the new count "
                        + "must be more (got " + total + ")");
            }
            Failures.await(() -> admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(total))).all().get());
            out().println("topic " + topic + " now has " + total + " partitions (was " + current + ")");
        } catch (UnknownTopicOrPartitionException e) {
            throw Topics.doesNotExist(topic);
        } catch (ApiException e) {
            throw new CliException("cannot add partitions to topic '" + topic + "': " + Failures.message(e), e);
        }
        return 0;
    }
}
