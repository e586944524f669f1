package io.herald.cli.group;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code herald group delete GROUP...}: deletes groups without active members, with their offsets. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Deletes groups and their offsets; a group must have no active members.")
public final class DeleteGroups extends ClientCommand {

    @Parameters(arity = "1..*", paramLabel = "GROUP")
    List<String> groups;

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            for (String group : groups) {
                Groups.Listing listing = Groups.find(admin, group);
                try {
                    if (listing.isShare()) {
                        Failures.await(() -> admin.deleteShareGroups(List.of(group)).all().get());
                    } else {
                        Failures.await(() -> admin.deleteConsumerGroups(List.of(group)).all().get());
                    }
                } catch (GroupNotEmptyException e) {
                    throw new CliException("group '" + group + "' has active members; stop them before deleting it");
                } catch (GroupIdNotFoundException e) {
                    throw Groups.doesNotExist(group);
                }
                out().println("deleted group " + group);
            }
        }
        return 0;
    }
}
