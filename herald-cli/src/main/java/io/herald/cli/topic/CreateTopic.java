package io.herald.cli.topic;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code herald topic create TOPIC [-p N] [-r N] [-c key=value]... [--if-not-exists]}. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a topic.")
public final class CreateTopic extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = {"-p", "--partitions"}, paramLabel = "N",
            description = "Number of partitions (default: the broker's num.partitions).")
    Integer partitions;

    @Option(names = {"-r", "--replication-factor"}, paramLabel = "N",
            description = "Replicas per partition (default: the broker's default.replication.factor).")
    Short replicationFactor;

    @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE",
            description = "A topic config, e.g. -c retention.ms=86400000 (repeatable).")
    Map<String, String> configs = new LinkedHashMap<>();

    @Option(names = "--if-not-exists", description = "Succeed without change if the topic exists already.")
    boolean ifNotExists;

    @Override
    protected int run() {
        if (partitions != null && partitions < 1) {
            throw usageError("--partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor != null && replicationFactor < 1) {
            throw usageError("--replication-factor must be at least 1, got " + replicationFactor);
        }
        NewTopic newTopic = new NewTopic(topic, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                .configs(configs);
        try (Admin admin = clients().admin()) {
            Failures.await(() -> admin.createTopics(List.of(newTopic)).all().get());
        } catch (TopicExistsException e) {
            if (ifNotExists) {
                return 0;
            }
            throw new CliException("topic '" + topic + "' already exists");
        } catch (ApiException e) {
            throw new CliException("cannot create topic '" + topic + "': " + Failures.message(e), e);
        }
        out().println("created topic " + topic);
        return 0;
    }
}
