package io.herald.cli.cluster;

import io.herald.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code herald cluster}: what the cluster says about itself. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Shows the cluster's id, brokers, metadata quorum and features.",
        commandListHeading = "%nCommands:%n",
        subcommands = {ClusterStatus.class, ListBrokers.class, DescribeQuorum.class})
public final class ClusterCommand extends CommandGroup {
}
