package io.herald.cli.topic;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald topic delete TOPIC... [--if-exists]}: deletes each topic; a missing one fails unless asked not to. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes topics and all their records.")
public final class DeleteTopic extends ClientCommand {

    @Parameters(arity = "1..*", paramLabel = "TOPIC")
    List<String> topics;

    @Option(names = "--if-exists", description = "Succeed for a topic that does not exist.")
    boolean ifExists;

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            Map<String, KafkaFuture<Void>> results = admin.deleteTopics(topics).topicNameValues();
            for (String topic : topics) {
                try {
                    Failures.await(() -> results.get(topic).get());
                    out().println("deleted topic " + topic);
                } catch (UnknownTopicOrPartitionException e) {
                    if (!ifExists) {
                        throw Topics.doesNotExist(topic);
                    }
                } catch (ApiException e) {
                    throw new CliException("cannot delete topic '" + topic + "': " + Failures.message(e), e);
                }
            }
        }
        return 0;
    }
}
