package io.herald.bench.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Herald from {@code herald-server/target/herald-server.jar}, started the way {@code bin/herald start} starts
 * it (its GC and class-data sharing flags, the bench's heap flags), with the listener, data directory and
 * partition count given as {@code --override}s. It is stopped with SIGTERM, as an operator stops it, so that the
 * first run writes the class-data archive that later runs (and {@code bin/herald}) start from.
 */
public final class HeraldProcess extends JvmBrokerProcess {
    /** Keep in step with {@code bin/herald}'s default GC flags (its class-data sharing flags are added below). */
    static final List<String> LAUNCHER_GC_OPTIONS = List.of("-XX:+UseG1GC");

    private final Map<String, String> extraConfig;

    public HeraldProcess(BrokerSettings settings, Path dataDir) {
        this(settings, dataDir, Map.of());
    }

    /** With extra broker configs, passed as further {@code --override}s after the bench's own. */
    public HeraldProcess(BrokerSettings settings, Path dataDir, Map<String, String> extraConfig) {
        super(settings, dataDir);
        this.extraConfig = Map.copyOf(extraConfig);
    }

    @Override
    public BrokerKind kind() {
        return BrokerKind.HERALD;
    }

    @Override
    protected List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(settings.java().toString());
        cmd.addAll(LAUNCHER_GC_OPTIONS);
        cmd.addAll(List.of("-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + settings.heraldHome().resolve("herald-server/target/herald-server.jsa"),
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        cmd.addAll(settings.jvmOptions(kind()));
        cmd.addAll(profilingOptions());
        cmd.addAll(List.of("-jar", settings.heraldJar().toString(), "start",
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--override", "log.dirs=" + dataDir.resolve("logs"),
                "--override", "num.partitions=" + settings.partitions()));
        extraConfig.forEach((k, v) -> cmd.addAll(List.of("--override", k + "=" + v)));
        return cmd;
    }

    @Override
    protected boolean stopGracefully() {
        return true;
    }

    @Override
    protected Path workingDirectory() {
        return settings.heraldHome();
    }
}
