package io.herald.broker.quota;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * How client quotas measure, with Kafka's names and defaults (its QuotaConfig).
 *
 * @param windowNum                   {@code quota.window.num} (11): samples a byte or request rate is measured over
 * @param windowSizeSeconds           {@code quota.window.size.seconds} (1): the span of one sample
 * @param controllerWindowNum         {@code controller.quota.window.num} (11): with the window size, the burst a
 *                                    {@code controller_mutation_rate} token bucket holds
 * @param controllerWindowSizeSeconds {@code controller.quota.window.size.seconds} (1)
 */
public record QuotaSettings(int windowNum, int windowSizeSeconds, int controllerWindowNum,
                            int controllerWindowSizeSeconds) {
    public static final String QUOTA_WINDOW_NUM = "quota.window.num";
    public static final String QUOTA_WINDOW_SIZE_SECONDS = "quota.window.size.seconds";
    public static final String CONTROLLER_QUOTA_WINDOW_NUM = "controller.quota.window.num";
    public static final String CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS = "controller.quota.window.size.seconds";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(QUOTA_WINDOW_NUM, Type.INT, 11, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Samples kept to measure client quotas.")
            .define(QUOTA_WINDOW_SIZE_SECONDS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "The time span of each client quota sample.")
            .define(CONTROLLER_QUOTA_WINDOW_NUM, Type.INT, 11, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Samples kept for controller mutation quotas.")
            .define(CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "The time span of each controller mutation quota sample.");

    public QuotaSettings {
        if (windowNum < 1 || windowSizeSeconds < 1 || controllerWindowNum < 1 || controllerWindowSizeSeconds < 1) {
            throw new IllegalArgumentException("quota windows: " + windowNum + " x " + windowSizeSeconds + " s, "
                    + controllerWindowNum + " x " + controllerWindowSizeSeconds + " s (expected: >= 1)");
        }
    }

    /** Kafka's defaults. */
    public static QuotaSettings defaults() {
        return from(ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** From values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static QuotaSettings from(ConfigValues v) {
        return new QuotaSettings(v.getInt(QUOTA_WINDOW_NUM), v.getInt(QUOTA_WINDOW_SIZE_SECONDS),
                v.getInt(CONTROLLER_QUOTA_WINDOW_NUM), v.getInt(CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS));
    }

    long windowMs() {
        return windowSizeSeconds * 1000L;
    }

    long controllerWindowMs() {
        return controllerWindowSizeSeconds * 1000L;
    }
}
