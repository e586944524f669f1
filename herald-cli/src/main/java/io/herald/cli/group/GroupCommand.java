package io.herald.cli.group;

import io.herald.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code herald group}: consumer and share groups, their offsets and lag. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Lists, describes (with lag), resets and deletes consumer and share groups.",
        commandListHeading = "%nCommands:%n",
        subcommands = {ListGroups.class, DescribeGroup.class, ResetOffsets.class, DeleteGroups.class})
public final class GroupCommand extends CommandGroup {
}
