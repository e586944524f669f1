package io.herald.bench.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Herald from {@code herald-server/target/herald-server.jar}, started the way {@code bin/herald start} starts
 * it, with the listener, data directory and partition count given as {@code --override}s.
 */
public final class HeraldProcess extends JvmBrokerProcess {

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
        cmd.addAll(settings.jvmOptions());
        cmd.addAll(List.of("-jar", settings.heraldJar().toString(), "start",
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--override", "log.dirs=" + dataDir.resolve("logs"),
                "--override", "num.partitions=" + settings.partitions()));
        extraConfig.forEach((k, v) -> cmd.addAll(List.of("--override", k + "=" + v)));
        return cmd;
    }

    @Override
    protected Path workingDirectory() {
        return settings.heraldHome();
    }
}
