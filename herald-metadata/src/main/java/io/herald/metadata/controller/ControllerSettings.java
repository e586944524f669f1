package io.herald.metadata.controller;

import io.herald.common.config.ConfigValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The controller's local settings (Kafka names in {@link #CONFIG_DEF}). They steer only leader-side timers and the
 * facade's waits, never {@link ControllerLogic}'s decisions, so members may differ without diverging.
 *
 * @param nodeId this node's id ({@code node.id})
 * @param brokerHeartbeatIntervalMs how often a broker heartbeats ({@code broker.heartbeat.interval.ms}, 2000)
 * @param brokerSessionTimeoutMs a broker silent this long is fenced ({@code broker.session.timeout.ms}, 9000)
 * @param autoLeaderRebalanceEnable whether the leader periodically elects preferred leaders
 *        ({@code auto.leader.rebalance.enable}, true)
 * @param leaderImbalanceCheckIntervalMs how often ({@code leader.imbalance.check.interval.seconds}, 300 s)
 * @param requestTimeoutMs how long a facade call waits for its change to be applied locally (30000)
 */
public record ControllerSettings(int nodeId, long brokerHeartbeatIntervalMs, long brokerSessionTimeoutMs,
                                 boolean autoLeaderRebalanceEnable, long leaderImbalanceCheckIntervalMs,
                                 long requestTimeoutMs) {
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

    public ControllerSettings {
        if (brokerHeartbeatIntervalMs <= 0 || brokerSessionTimeoutMs <= 0 || leaderImbalanceCheckIntervalMs <= 0
                || requestTimeoutMs <= 0) {
            throw new IllegalArgumentException("controller intervals and timeouts must be positive: " + brokerHeartbeatIntervalMs
                    + ", " + brokerSessionTimeoutMs + ", " + leaderImbalanceCheckIntervalMs + ", " + requestTimeoutMs);
        }
    }

    /** The controller's share of the node configs, with Kafka's names, defaults and ranges. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(BROKER_HEARTBEAT_INTERVAL_MS, Type.INT, 2000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "How often a broker heartbeats to the controller.")
            .define(BROKER_SESSION_TIMEOUT_MS, Type.INT, 9000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "A broker without a heartbeat for this long is fenced.")
            .define(AUTO_LEADER_REBALANCE_ENABLE, Type.BOOLEAN, true, Importance.HIGH,
                    "Move leadership back to the preferred replica when it is imbalanced.")
            .define(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, Type.LONG, 300L, ConfigDef.Range.atLeast(1),
                    Importance.HIGH, "How often the controller checks leader imbalance.");

    /** Kafka's defaults. */
    public static ControllerSettings defaults(int nodeId) {
        return from(nodeId, ConfigValues.parse(CONFIG_DEF, Map.of()));
    }

    /** From values parsed with a definition that includes {@link #CONFIG_DEF}. */
    public static ControllerSettings from(int nodeId, ConfigValues v) {
        return new ControllerSettings(nodeId, v.getInt(BROKER_HEARTBEAT_INTERVAL_MS),
                v.getInt(BROKER_SESSION_TIMEOUT_MS), v.getBoolean(AUTO_LEADER_REBALANCE_ENABLE),
                1000 * v.getLong(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS), DEFAULT_REQUEST_TIMEOUT_MS);
    }
}
