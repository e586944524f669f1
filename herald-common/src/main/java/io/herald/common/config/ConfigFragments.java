package io.herald.common.config;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Composes the node's configuration out of the fragments its subsystems declare. Each subsystem owns a
 * {@link ConfigDef} with the Kafka names it reads (the replica manager {@code replica.*}, the group coordinator
 * {@code group.*} and {@code offsets.*}, ...) and a typed settings record built from them; the node composes all
 * fragments into one definition, parses the configuration once, before it starts anything, and reports the
 * names no fragment reads.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigFragments {

    private ConfigFragments() {
    }

    /**
     * One definition with every key of {@code fragments}.
     *
     * @throws ConfigException if two fragments define the same name: each config has exactly one owner, which
     *     passes its value on to whoever else needs it
     */
    public static ConfigDef compose(Collection<ConfigDef> fragments) {
        ConfigDef all = new ConfigDef();
        for (ConfigDef fragment : fragments) {
            for (ConfigDef.ConfigKey key : fragment.configKeys().values()) {
                if (all.names().contains(key.name)) {
                    throw new ConfigException("config " + key.name + " is defined by two subsystems");
                }
                all.define(key);
            }
        }
        return all;
    }

    /**
     * The names in {@code originals} that {@code def} does not define and {@code alsoRead} does not accept (for
     * example broker defaults of topic configs, which the topic-config definitions read), sorted.
     */
    public static Set<String> unknownNames(ConfigDef def, Map<String, String> originals, Predicate<String> alsoRead) {
        Set<String> unknown = new TreeSet<>();
        for (String name : originals.keySet()) {
            if (!def.names().contains(name) && !alsoRead.test(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }
}
