package io.herald.storage.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Refuses {@code remote.storage.enable=true}: Herald has no tiered storage, so the request cannot be served.
 * Kafka refuses the same value on a broker without {@code remote.log.storage.system.enable}; this refusal
 * names the config, as every Herald config error does.
 *
 * <p>Thread-safety: stateless.
 */
final class NoTieredStorageValidator implements ConfigDef.Validator {
    static final NoTieredStorageValidator INSTANCE = new NoTieredStorageValidator();

    private NoTieredStorageValidator() {
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (Boolean.TRUE.equals(value)) {
            throw new ConfigException(name, value, "tiered storage is not available: Herald keeps all data on "
                + "local disk (expected: false)");
        }
    }

    @Override
    public String toString() {
        return "false";
    }
}
