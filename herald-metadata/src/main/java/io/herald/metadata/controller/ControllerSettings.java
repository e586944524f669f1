package io.herald.metadata.controller;

import java.util.Map;

/**
 * The controller's local settings (Kafka names in {@link #from}). They steer only leader-side timers and the
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

    /** Kafka's defaults. */
    public static ControllerSettings defaults(int nodeId) {
        return new ControllerSettings(nodeId, 2000, 9000, true, 300_000, DEFAULT_REQUEST_TIMEOUT_MS);
    }

    /** From broker config (Kafka names), with Kafka's defaults for what is absent. */
    public static ControllerSettings from(int nodeId, Map<String, String> config) {
        ControllerSettings d = defaults(nodeId);
        return new ControllerSettings(nodeId,
                Long.parseLong(config.getOrDefault(BROKER_HEARTBEAT_INTERVAL_MS, "" + d.brokerHeartbeatIntervalMs()).trim()),
                Long.parseLong(config.getOrDefault(BROKER_SESSION_TIMEOUT_MS, "" + d.brokerSessionTimeoutMs()).trim()),
                Boolean.parseBoolean(config.getOrDefault(AUTO_LEADER_REBALANCE_ENABLE, "true").trim()),
                1000 * Long.parseLong(config.getOrDefault(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, "300").trim()),
                d.requestTimeoutMs());
    }
}
