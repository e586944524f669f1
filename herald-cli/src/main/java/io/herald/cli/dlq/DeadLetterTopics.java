package io.herald.cli.dlq;

import io.herald.cli.Failures;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Finds the dead-letter topics: those with {@value DeadLetter#ENABLE_CONFIG}{@code =true} (KIP-1191), the config a
 * topic needs before a share group may write to it. One DescribeConfigs for all topics; a broker that does not
 * know the config (one without KIP-1191) has none.
 *
 * <p>Stateless; thread-safe as the given {@link Admin} is.
 */
final class DeadLetterTopics {

    private DeadLetterTopics() {
    }

    static Set<String> find(Admin admin) {
        Set<String> names = Failures.await(() -> admin.listTopics().names().get());
        if (names.isEmpty()) {
            return Set.of();
        }
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = Failures.await(() -> admin.describeConfigs(resources).all().get());
        Set<String> out = new TreeSet<>();
        configs.forEach((resource, config) -> {
            if (isDeadLetterTopic(config)) {
                out.add(resource.name());
            }
        });
        return out;
    }

    static boolean isDeadLetterTopic(Config config) {
        ConfigEntry entry = config.get(DeadLetter.ENABLE_CONFIG);
        return entry != null && Boolean.parseBoolean(entry.value());
    }
}
