package io.herald.cli.group;

import io.herald.cli.ClientCommand;
import io.herald.cli.format.Table;
import java.util.Comparator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import picocli.CommandLine.Command;

/** {@code herald group list}: every group with its type and state. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists groups with their type and state.")
public final class ListGroups extends ClientCommand {

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            Table table = new Table("GROUP", "TYPE", "STATE");
            Groups.all(admin).stream()
                    .sorted(Comparator.comparing(GroupListing::groupId))
                    .forEach(g -> table.row(g.groupId(), g.type().map(Groups::name).orElse("-"),
                            Groups.name(g.groupState())));
            table.print(out());
        }
        return 0;
    }
}
