package io.herald.bench.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka as a single KRaft node that is broker and controller in one process, run from the bench module's
 * classpath ({@code kafka_2.13} and friends from Maven Central). Its storage is formatted before the clock
 * starts, so the startup time compares like with like: Herald needs no format step.
 *
 * <p>The quorum is configured with {@code controller.quorum.bootstrap.servers} and formatted with
 * {@code --standalone} (a dynamic KIP-853 quorum of one), as Kafka 4's own quickstart does: Kafka 4.3's
 * {@code StorageTool} rejects {@code --standalone} together with a static {@code controller.quorum.voters}.
 *
 * <p>As a node of a {@link BrokerCluster} ({@link #clusterNode}) it is configured like Herald's cluster nodes: a
 * static {@code controller.quorum.voters} naming every node (no {@code --standalone}: a static quorum needs no
 * initial voter set in the log), storage formatted with the cluster's one id, and the internal topics at Kafka's
 * default replication (3, min.insync.replicas 2) instead of the single node's 1.
 */
public final class KafkaProcess extends JvmBrokerProcess {
    private static final long FORMAT_TIMEOUT_SECONDS = 60;

    private final int controllerPort;
    private final Path config;
    private final Map<String, String> extraConfig;
    private final int nodeId;
    private final Optional<ClusterLayout> cluster;

    public KafkaProcess(BrokerSettings settings, Path dataDir) {
        this(settings, dataDir, Map.of());
    }

    /** With extra broker configs, appended to {@code server.properties} (a later key wins over an earlier one). */
    public KafkaProcess(BrokerSettings settings, Path dataDir, Map<String, String> extraConfig) {
        super(settings, dataDir);
        this.extraConfig = Map.copyOf(extraConfig);
        int candidate = Ports.freeLoopbackPort();
        while (candidate == port) { // the kernel may hand out the client port again once its probe closed
            candidate = Ports.freeLoopbackPort();
        }
        this.controllerPort = candidate;
        this.config = dataDir.resolve("server.properties");
        this.nodeId = 1;
        this.cluster = Optional.empty();
    }

    private KafkaProcess(BrokerSettings settings, Path dataDir, ClusterLayout layout, ClusterLayout.Node node) {
        super(settings, dataDir, node.clientPort());
        this.extraConfig = Map.of();
        this.controllerPort = node.controllerPort();
        this.config = dataDir.resolve("server.properties");
        this.nodeId = node.id();
        this.cluster = Optional.of(layout);
    }

    /** Node {@code node} of the cluster {@code layout}, with its data under {@code dataDir}. */
    static KafkaProcess clusterNode(BrokerSettings settings, Path dataDir, ClusterLayout layout,
                                    ClusterLayout.Node node) {
        return new KafkaProcess(settings, dataDir, layout, node);
    }

    @Override
    public BrokerKind kind() {
        return BrokerKind.KAFKA;
    }

    @Override
    protected void prepare() throws BrokerStartException, InterruptedException {
        try {
            Files.writeString(config, serverProperties(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BrokerStartException("cannot write " + config + ": " + e.getMessage());
        }
        format();
    }

    String serverProperties() {
        StringBuilder extra = new StringBuilder();
        tls.ifPresent(t -> t.brokerConfigs().forEach((k, v) -> extra.append(k).append('=').append(v).append('\n')));
        extraConfig.forEach((k, v) -> extra.append(k).append('=').append(v).append('\n'));
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                cluster.map(c -> "controller.quorum.voters=" + c.voters())
                        .orElse("controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort),
                "listeners=" + clientListener() + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + clientListener(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + clientListenerName(),
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs"),
                "num.partitions=" + settings.partitions(),
                "group.initial.rebalance.delay.ms=0",
                "") + (cluster.isPresent() ? "" : SingleNodeInternalTopics.asProperties()) + extra;
    }

    private void format() throws BrokerStartException, InterruptedException {
        Path formatLog = dataDir.resolve("kafka-format.log");
        String clusterId = cluster.map(ClusterLayout::clusterId).orElseGet(() -> Uuid.randomUuid().toString());
        List<String> cmd = new ArrayList<>(List.of(settings.java().toString(), "-cp", settings.kafkaClasspath(),
                "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
        if (cluster.isEmpty()) {
            cmd.add("--standalone");
        }
        Process format;
        try {
            format = new ProcessBuilder(cmd).directory(dataDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(formatLog.toFile()).start();
        } catch (IOException e) {
            throw new BrokerStartException("Kafka storage format could not be launched: " + e.getMessage());
        }
        ProcessReaper.register(format);
        boolean exited = format.waitFor(FORMAT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        int code = exited ? format.exitValue() : -1;
        ProcessReaper.kill(format);
        if (code != 0) {
            throw new BrokerStartException("Kafka storage format " + (exited ? "failed with code " + code
                    : "timed out after " + FORMAT_TIMEOUT_SECONDS + " s") + " (command: " + printable(cmd)
                    + ").\nLast lines of " + formatLog + ":\n" + tail(formatLog));
        }
    }

    @Override
    protected List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(settings.java().toString());
        cmd.addAll(settings.jvmOptions(kind()));
        cmd.addAll(profilingOptions());
        cmd.addAll(List.of("-cp", settings.kafkaClasspath(), "kafka.Kafka", config.toString()));
        return cmd;
    }

    @Override
    protected Path workingDirectory() {
        return dataDir;
    }
}
