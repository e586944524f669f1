package io.herald.server;

import io.herald.server.config.HeraldConfig;
import io.herald.server.config.NodeConfig;
import io.herald.server.node.HeraldNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker process: {@code herald start [--config FILE] [--override key=value]...}.
 *
 * <p>Lifecycle: parse arguments, load the config, {@link HeraldNode#start}, then park the main
 * thread. SIGTERM or Ctrl-C runs the shutdown hook, which closes the broker (in-flight requests
 * answered, logs flushed, clean-shutdown marker written) before the JVM exits. A startup failure
 * the operator can fix prints one line on stderr and exits 1, without a stack trace.
 *
 * <p>The hook is installed once the broker is serving: a signal during startup (log recovery)
 * ends the JVM without a clean close, which only means the next start recovers again.
 */
public final class HeraldMain {

    private static final Logger log = LoggerFactory.getLogger(HeraldMain.class);

    private HeraldMain() {
    }

    public static void main(String[] args) {
        List<String> argList = Arrays.asList(args);
        if (!argList.isEmpty() && List.of("-h", "--help", "help").contains(argList.get(0))) {
            System.out.println("usage: " + ServerArgs.USAGE);
            return;
        }
        HeraldNode node;
        try {
            node = start(ServerArgs.parse(argList), heraldHome());
        } catch (UsageException e) {
            System.err.println("herald: " + e.getMessage() + " (usage: " + ServerArgs.USAGE + ")");
            System.exit(1);
            return;
        } catch (StartupException e) {
            System.err.println("herald: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            // Not something the operator caused: keep the stack trace for the bug report.
            log.error("Herald failed to start", e);
            System.exit(1);
            return;
        }
        awaitShutdown(node);
    }

    static HeraldNode start(ServerArgs args, Optional<Path> heraldHome) throws Exception {
        long startNanos = System.nanoTime();
        ServerConfigLoader.LoadedConfig loaded = ServerConfigLoader.load(args, heraldHome);
        if (loaded.source().isEmpty()) {
            log.warn("No config file at {}; using built-in defaults",
                    heraldHome.map(home -> home.resolve(ServerConfigLoader.DEFAULT_CONFIG))
                            .orElse(ServerConfigLoader.DEFAULT_CONFIG).toAbsolutePath().normalize());
        }
        NodeConfig config;
        HeraldNode node;
        try {
            // Every config is parsed and validated here, before log recovery or anything else starts.
            HeraldConfig parsed = HeraldConfig.parse(loaded.props());
            config = parsed.node();
            node = HeraldNode.start(parsed);
        } catch (ConfigException e) {
            throw new StartupException("invalid configuration: " + e.getMessage(), e);
        } catch (BindException e) {
            throw new StartupException("cannot bind listener " + loaded.props().getOrDefault("listeners", "(default)")
                    + ": " + e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            // Log dir not writable, disk full: the operator's to fix, the message says what.
            throw new StartupException("failed to start: " + e, e);
        }
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        log.info("Herald started: node.id={}, process.roles={}, listener={}, quorum={}, cluster id={}, log dirs={}, "
                        + "in {} ms",
                config.nodeId(),
                roles(config),
                config.isBroker() ? boundListener(loaded.props().getOrDefault("listeners", ""),
                        config.clientListenerName().orElse("PLAINTEXT"), node.boundPort())
                        : "none (controller only)",
                quorum(config),
                node.clusterId(),
                logDirs(config.logDirs()),
                elapsedMs);
        return node;
    }

    private static void awaitShutdown(HeraldNode node) {
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("Herald stopping");
            long startNanos = System.nanoTime();
            try {
                node.close();
                log.info("Herald stopped in {} ms", (System.nanoTime() - startNanos) / 1_000_000);
            } catch (RuntimeException e) {
                log.error("Herald stopped with an error during shutdown", e);
            } finally {
                closed.countDown();
            }
        }, "herald-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // The node's own threads may all be daemons; the parked main thread keeps the JVM up
        // until a signal runs the hook, and the JVM exits once the hook returns.
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client listener as configured, with the port actually bound (matters for port 0). */
    static String boundListener(String listeners, String clientListener, int boundPort) {
        String prefix = clientListener + "://";
        for (String listener : listeners.split(",")) {
            String trimmed = listener.strip();
            int colon = trimmed.lastIndexOf(':');
            if (trimmed.regionMatches(true, 0, prefix, 0, prefix.length()) && colon >= prefix.length()) {
                return trimmed.substring(0, colon + 1) + boundPort;
            }
        }
        return prefix + ":" + boundPort;
    }

    static String roles(NodeConfig config) {
        return config.processRoles().stream().map(role -> role.name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(","));
    }

    /** "single node", or the voters as configured, e.g. "1@127.0.0.1:19093,2@127.0.0.1:29093". */
    static String quorum(NodeConfig config) {
        if (config.isSingleNode()) {
            return "single node";
        }
        return config.quorumVoters().entrySet().stream()
                .map(voter -> voter.getKey() + "@" + voter.getValue().getHostString() + ":" + voter.getValue().getPort())
                .collect(Collectors.joining(","));
    }

    static String logDirs(List<Path> dirs) {
        return dirs.stream()
                .map(dir -> dir.toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(","));
    }

    private static Optional<Path> heraldHome() {
        return Optional.ofNullable(System.getenv("HERALD_HOME"))
                .filter(home -> !home.isBlank())
                .map(Path::of);
    }
}
