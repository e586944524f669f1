package io.herald.cli;

/**
 * A command that only groups subcommands ({@code herald topic}, {@code herald group}, ...): run without one, it
 * prints its usage on standard error and exits 2, like any other usage error.
 */
public abstract class CommandGroup extends HeraldCommand {

    @Override
    protected int run() {
        err().println("herald: missing command (expected one of: "
                + String.join(", ", spec.subcommands().keySet()) + ")");
        spec.commandLine().usage(err());
        return 2;
    }
}
