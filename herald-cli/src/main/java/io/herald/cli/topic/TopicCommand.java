package io.herald.cli.topic;

import io.herald.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code herald topic}: the topic admin commands. */
@Command(name = "topic", mixinStandardHelpOptions = true,
        description = "Creates, lists, describes, reconfigures, grows and deletes topics.",
        commandListHeading = "%nCommands:%n",
        subcommands = {CreateTopic.class, ListTopics.class, DescribeTopic.class, AlterTopicConfig.class,
                AddPartitions.class, DeleteTopic.class})
public final class TopicCommand extends CommandGroup {
}
