package io.herald.bench.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Herald from {@code herald-server/target/herald-server.jar}, started the way {@code bin/herald start} starts
 * it (its GC and class-data sharing flags, the bench's heap flags), with the listener, data directory and
 * partition count given as {@code --override}s on top of {@code config/server.properties}, and, on one node,
 * the same {@link SingleNodeInternalTopics} settings as the Kafka node. It is stopped with
 * SIGTERM, as an operator stops it, so that the first run writes the class-data archive that later runs (and
 * {@code bin/herald}) start from.
 *
 * <p>As a node of a {@link BrokerCluster} ({@link #clusterNode}) it gets the overrides that
 * {@code config/cluster/nodeN.properties} sets: its own node id, broker+controller roles, the cluster's voters and
 * a {@code CONTROLLER} listener.
 */
public final class HeraldProcess extends JvmBrokerProcess {
    /** Keep in step with {@code bin/herald}'s default GC flags (its class-data sharing flags are added below). */
    static final List<String> LAUNCHER_GC_OPTIONS = List.of("-XX:+UseG1GC");
    /** Kafka's default {@code offsets.topic.replication.factor}, which the Kafka nodes of a cluster keep. */
    private static final int CLUSTER_OFFSETS_REPLICATION_FACTOR = 3;

    /** A single node's {@link SingleNodeInternalTopics}, or a cluster node's identity, roles and quorum. */
    private final Map<String, String> clusterConfig;
    private final Map<String, String> extraConfig;

    public HeraldProcess(BrokerSettings settings, Path dataDir) {
        this(settings, dataDir, Map.of());
    }

    /** With extra broker configs, passed as further {@code --override}s after the bench's own. */
    public HeraldProcess(BrokerSettings settings, Path dataDir, Map<String, String> extraConfig) {
        super(settings, dataDir);
        this.clusterConfig = SingleNodeInternalTopics.CONFIGS;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    private HeraldProcess(BrokerSettings settings, Path dataDir, ClusterLayout layout, ClusterLayout.Node node) {
        super(settings, dataDir, node.clientPort());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("node.id", Integer.toString(node.id()));
        config.put("process.roles", "broker,controller");
        config.put("cluster.id", layout.clusterId());
        config.put("controller.quorum.voters", layout.voters());
        config.put("controller.listener.names", "CONTROLLER");
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort()
                + ",CONTROLLER://127.0.0.1:" + node.controllerPort());
        config.put("offsets.topic.replication.factor", Integer.toString(CLUSTER_OFFSETS_REPLICATION_FACTOR));
        this.clusterConfig = config;
        this.extraConfig = Map.of();
    }

    /** Node {@code node} of the cluster {@code layout}, with its data under {@code dataDir}. */
    static HeraldProcess clusterNode(BrokerSettings settings, Path dataDir, ClusterLayout layout,
                                     ClusterLayout.Node node) {
        return new HeraldProcess(settings, dataDir, layout, node);
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
        Path archive = settings.heraldHome().resolve("herald-server/target/herald-server.jsa");
        dropStaleArchive(archive, settings.heraldJar());
        cmd.addAll(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive,
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        cmd.addAll(settings.jvmOptions(kind()));
        cmd.addAll(profilingOptions());
        cmd.addAll(List.of("-jar", settings.heraldJar().toString(), "start"));
        // One --override per key: a cluster node's listeners replace the single-node one.
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("listeners", clientListener());
        tls.ifPresent(t -> overrides.putAll(t.brokerConfigs()));
        overrides.put("log.dirs", dataDir.resolve("logs").toString());
        overrides.put("num.partitions", Integer.toString(settings.partitions()));
        overrides.putAll(clusterConfig);
        overrides.putAll(extraConfig);
        overrides.forEach((k, v) -> cmd.addAll(List.of("--override", k + "=" + v)));
        return cmd;
    }

    /**
     * Deletes a class-data sharing archive older than the jar or its libraries, as {@code bin/herald} does: JDK 25
     * refuses such an archive but does not write a new one over it, so every run would start without one.
     */
    private static void dropStaleArchive(Path archive, Path jar) {
        try {
            if (!Files.exists(archive)) {
                return;
            }
            FileTime built = Files.getLastModifiedTime(archive);
            boolean stale = Files.getLastModifiedTime(jar).compareTo(built) > 0;
            Path lib = jar.resolveSibling("lib");
            if (!stale && Files.isDirectory(lib)) {
                try (var jars = Files.list(lib)) {
                    stale = jars.anyMatch(j -> {
                        try {
                            return Files.getLastModifiedTime(j).compareTo(built) > 0;
                        } catch (java.io.IOException e) {
                            return true;
                        }
                    });
                }
            }
            if (stale) {
                Files.delete(archive);
            }
        } catch (java.io.IOException e) {
            // No archive, or one that cannot be checked: the JVM runs without it and says nothing (cds=off).
        }
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
