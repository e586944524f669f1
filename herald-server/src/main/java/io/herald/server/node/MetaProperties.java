package io.herald.server.node;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;

/**
 * A log dir's identity, in Kafka's {@code meta.properties} format: cluster id and node id. Kafka requires a
 * separate format step; Herald formats on first start (a fresh cluster id, or {@code cluster.id} when set) and
 * afterwards refuses to start a dir that belongs to another node or cluster.
 */
public record MetaProperties(String clusterId, int nodeId) {
    static final String FILE = "meta.properties";

    public static MetaProperties loadOrCreate(Path dir, int nodeId, Optional<String> configuredClusterId)
            throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            String clusterId = p.getProperty("cluster.id");
            int storedNode = Integer.parseInt(p.getProperty("node.id", "-1"));
            if (storedNode != nodeId) {
                throw new ConfigException("node.id " + nodeId + " does not match node.id " + storedNode
                        + " stored in " + file);
            }
            if (configuredClusterId.isPresent() && !configuredClusterId.get().equals(clusterId)) {
                throw new ConfigException("cluster.id " + configuredClusterId.get() + " does not match "
                        + clusterId + " stored in " + file);
            }
            return new MetaProperties(clusterId, nodeId);
        }
        MetaProperties meta = new MetaProperties(configuredClusterId.orElseGet(() -> Uuid.randomUuid().toString()),
                nodeId);
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("cluster.id", meta.clusterId());
        p.setProperty("node.id", String.valueOf(nodeId));
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Written by Herald on first start");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return meta;
    }
}
