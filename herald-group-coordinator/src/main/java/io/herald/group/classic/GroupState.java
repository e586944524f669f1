package io.herald.group.classic;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The lifecycle of a classic group, as in Kafka's {@code ClassicGroupState}.
 *
 * <pre>
 *   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
 *     ▲                 ▲      │                                                 │ leader's SyncGroup
 *     │                 │      └──no members left──▶ Empty                       ▼
 *     └─────────────────┴───────────── member change / failure ───────────── Stable
 *   any ──group deleted──▶ Dead
 * </pre>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name Kafka uses on the wire (ListGroups, DescribeGroups). */
    public String kafkaName() {
        return kafkaName;
    }

    /** The states this one may be entered from. */
    public boolean canTransitionFrom(GroupState previous) {
        return validPrevious().contains(previous);
    }

    private Set<GroupState> validPrevious() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
            case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
            case DEAD -> EnumSet.of(STABLE, PREPARING_REBALANCE, COMPLETING_REBALANCE, EMPTY, DEAD);
        };
    }

    /** Parses a wire name case-insensitively (ListGroups states filter). */
    public static Optional<GroupState> fromKafkaName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (GroupState s : values()) {
            if (s.kafkaName.toLowerCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
