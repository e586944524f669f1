package io.herald.cli;

import io.herald.cli.cluster.ClusterCommand;
import io.herald.cli.consume.ConsumeCommand;
import io.herald.cli.dlq.DlqCommand;
import io.herald.cli.group.GroupCommand;
import io.herald.cli.produce.ProduceCommand;
import io.herald.cli.topic.TopicCommand;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code herald} command line tool: {@code herald start} runs a broker in this process; every other command
 * is a client of any Kafka-protocol cluster (Herald or Apache Kafka) through the stock kafka-clients Admin,
 * producer, consumer and share consumer, never through broker internals.
 *
 * <p>Exit codes: 0 on success, 1 when the command failed (one line {@code herald: ...} on standard error), 2 for a
 * usage error (picocli's message and the command's usage). The root object carries the {@link CliEnvironment}
 * every subcommand reads its input, variables and home directory from.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = HeraldCli.Version.class,
        description = "Herald, a Kafka-protocol message broker, and a client for any Kafka-protocol cluster.",
        commandListHeading = "%nCommands:%n",
        subcommands = {StartCommand.class, TopicCommand.class, ProduceCommand.class, ConsumeCommand.class,
                GroupCommand.class, ClusterCommand.class, DlqCommand.class, CompletionCommand.class,
                HelpCommand.class},
        footerHeading = "%nConnecting:%n",
        footer = {"  The cluster: -b/--bootstrap-server, else $HERALD_BROKERS, else the profile's",
                "  bootstrap.servers, else 127.0.0.1:9092. --profile NAME (default: default)",
                "  picks the NAME.<client config>=value lines of the profile file,",
                "  $XDG_CONFIG_HOME/herald/profiles.properties (or ~/.config/herald/...).",
                "  More client configs: --command-config FILE, -X key=value.",
                "",
                "Exit status: 0 ok, 1 the command failed, 2 usage error."})
public final class HeraldCli extends CommandGroup {

    private final CliEnvironment environment;

    public HeraldCli() {
        this(CliEnvironment.system());
    }

    public HeraldCli(CliEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    protected CliEnvironment environment() {
        return environment;
    }

    public static void main(String[] args) {
        boolean start = args.length > 0 && args[0].equals("start");
        if (!start) {
            quietLogging();
        }
        int code = new CommandLine(new HeraldCli()).execute(args);
        // After `herald start` returns, the broker's shutdown hook has run: the JVM is exiting already, and exit()
        // would only wait for the hooks that are done. Any other command ends the process with its code here.
        if (!start || code != 0) {
            System.exit(code);
        }
    }

    /**
     * A client command's output is its answer: the Kafka clients' INFO lines (configs, app-info) and their WARNs
     * about unreachable nodes must not mix into it. Set before the first logger exists; a -D on the command line
     * still wins.
     */
    private static void quietLogging() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The version from the jar's manifest (absent when run from classes). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HeraldCli.class.getPackage().getImplementationVersion();
            return new String[] {"herald " + (version == null ? "(development build)" : version)};
        }
    }
}
