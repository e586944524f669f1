package io.herald.cli.topic;

import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald topic list [--internal]}: topic names, one a line, sorted. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists topic names, one a line.")
public final class ListTopics extends ClientCommand {

    @Option(names = "--internal", description = "Include internal topics (__consumer_offsets, ...).")
    boolean internal;

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            Set<String> names = Failures.await(() -> admin.listTopics(new ListTopicsOptions().listInternal(internal))
                    .names().get());
            new TreeSet<>(names).forEach(out()::println);
        }
        return 0;
    }
}
