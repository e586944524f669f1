package io.herald.cli.topic;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald topic alter-config TOPIC [--set key=value]... [--delete key]...}: an incremental change
 * (IncrementalAlterConfigs), so configs not named keep their values.
 */
@Command(name = "alter-config", mixinStandardHelpOptions = true,
        description = "Sets or removes topic configs; other configs keep their values.")
public final class AlterTopicConfig extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A config to set (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--delete", paramLabel = "KEY", description = "A config to remove, back to its default (repeatable).")
    List<String> delete = new ArrayList<>();

    @Override
    protected int run() {
        if (set.isEmpty() && delete.isEmpty()) {
            throw usageError("nothing to change: give --set KEY=VALUE or --delete KEY");
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        set.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        delete.forEach(k -> ops.add(new AlterConfigOp(new ConfigEntry(k, ""), AlterConfigOp.OpType.DELETE)));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = clients().admin()) {
            Failures.await(() -> admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get());
        } catch (UnknownTopicOrPartitionException e) {
            throw Topics.doesNotExist(topic);
        } catch (ApiException e) {
            throw new CliException("cannot change the config of topic '" + topic + "': " + Failures.message(e), e);
        }
        out().println("updated config of topic " + topic);
        return 0;
    }
}
