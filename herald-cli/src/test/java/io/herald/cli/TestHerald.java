package io.herald.cli;

import io.herald.server.config.HeraldConfig;
import io.herald.server.node.HeraldNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A single-node Herald broker in the test JVM on a loopback ephemeral port, like herald-server's own end-to-end
 * tests start one (whose test classes this module cannot depend on). Not thread-safe: one test class drives it.
 */
final class TestHerald implements AutoCloseable {

    private final HeraldNode node;

    private TestHerald(HeraldNode node) {
        this.node = node;
    }

    static TestHerald start(Path dir) throws Exception {
        return start(dir, Map.of());
    }

    static TestHerald start(Path dir, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dir.toString());
        props.put("num.partitions", "1");
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "1");
        // The HTTP endpoints (herald-http) must not take a fixed port in tests; ignored by a broker without them.
        props.put("herald.http.enable", "false");
        props.putAll(overrides);
        return new TestHerald(HeraldNode.start(HeraldConfig.parse(props)));
    }

    String bootstrap() {
        return "127.0.0.1:" + node.boundPort();
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(20, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
