package io.herald.cli.dlq;

import io.herald.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code herald dlq}: dead-letter topics of share groups (KIP-1191). */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Lists dead-letter topics, shows their records and replays them to their source topics.",
        commandListHeading = "%nCommands:%n",
        subcommands = {ListDeadLetterTopics.class, ShowDeadLetters.class, ReplayDeadLetters.class})
public final class DlqCommand extends CommandGroup {
}
