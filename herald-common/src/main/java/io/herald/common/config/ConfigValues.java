package io.herald.common.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configs parsed and validated by a {@link ConfigDef}: every defined name has a value of its type (its default
 * when not given), and the originals are kept to tell a given value from a default. A subsystem builds its typed
 * settings record from these in one place (its {@code from(ConfigValues)}), so each config is read once, by name,
 * with its type.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigValues {
    private final Map<String, Object> parsed;
    private final Map<String, String> originals;

    private ConfigValues(Map<String, Object> parsed, Map<String, String> originals) {
        this.parsed = parsed;
        this.originals = Map.copyOf(originals);
    }

    /**
     * Parses {@code originals} with {@code def}; names {@code def} does not define are ignored here (the node
     * reports them, see {@link ConfigFragments#unknownNames}).
     *
     * @throws ConfigException naming the first config whose value does not parse or validate
     */
    public static ConfigValues parse(ConfigDef def, Map<String, String> originals) {
        Objects.requireNonNull(originals, "originals");
        return new ConfigValues(java.util.Collections.unmodifiableMap(def.parse(originals)), originals);
    }

    private Object value(String name) {
        if (!parsed.containsKey(name)) {
            throw new IllegalArgumentException("config " + name + " is not defined by the ConfigDef these values "
                    + "were parsed with");
        }
        return parsed.get(name);
    }

    public int getInt(String name) {
        return (Integer) value(name);
    }

    public long getLong(String name) {
        return (Long) value(name);
    }

    public short getShort(String name) {
        return (Short) value(name);
    }

    public double getDouble(String name) {
        return (Double) value(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) value(name);
    }

    /** A STRING config; null when it has no default and was not given. */
    public String getString(String name) {
        return (String) value(name);
    }

    public Optional<String> optionalString(String name) {
        return Optional.ofNullable(getString(name)).filter(s -> !s.isBlank());
    }

    /** A LIST config; null when it has no default and was not given. */
    @SuppressWarnings("unchecked")
    public List<String> getList(String name) {
        return (List<String>) value(name);
    }

    /** Whether the config was given (rather than left at its default). */
    public boolean isSet(String name) {
        return originals.containsKey(name);
    }

    /** The configs as given, every name included (also those no fragment defines). */
    public Map<String, String> originals() {
        return originals;
    }

    /** The parsed value of every defined config (defaults included), for listing effective values. */
    public Map<String, Object> parsed() {
        return parsed;
    }
}
