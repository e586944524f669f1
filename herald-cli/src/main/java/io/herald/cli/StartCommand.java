package io.herald.cli;

import io.herald.server.HeraldMain;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code herald start [--config FILE] [--override key=value]...}: runs a broker in this process through
 * {@link HeraldMain}, which parses these arguments itself (so the broker has one argument parser, whichever way it
 * is started) and returns only after the broker shut down on SIGTERM or Ctrl-C.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Runs a Herald broker in the foreground until SIGTERM or Ctrl-C.",
        customSynopsis = "herald start [--config FILE] [--override key=value]...",
        footer = {"", "  --config FILE            the broker config (default: config/server.properties)",
                "  --override key=value     a config on top of the file (repeatable, later wins)"})
public final class StartCommand extends HeraldCommand {

    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    protected int run() {
        List<String> argv = new ArrayList<>();
        argv.add("start");
        argv.addAll(arguments);
        HeraldMain.main(argv.toArray(String[]::new));
        return 0;
    }
}
