package io.herald.coordinator.runtime;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of one partition in a {@link CoordinatorRuntime}.
 *
 * <pre>
 *   UNLOADED ──become leader──▶ LOADING ──replayed──▶ ACTIVE
 *      ▲  ▲                       │  ▲                  │
 *      │  └──────resign───────────┤  └──retry── FAILED ◀┘ (a write failed: reload)
 *      │                          └─replay failed─▶ FAILED
 *      └──────────────── resign ─────────────────────────┘
 * </pre>
 *
 * Only an ACTIVE partition serves operations; LOADING and FAILED answer COORDINATOR_LOAD_IN_PROGRESS, UNLOADED
 * answers NOT_COORDINATOR.
 */
public enum ShardState {
    UNLOADED,
    LOADING,
    ACTIVE,
    /** A load or a write failed; a reload is scheduled. */
    FAILED;

    public boolean canTransitionFrom(ShardState previous) {
        return validPrevious().contains(previous);
    }

    private Set<ShardState> validPrevious() {
        return switch (this) {
            case UNLOADED -> EnumSet.of(LOADING, ACTIVE, FAILED, UNLOADED);
            case LOADING -> EnumSet.of(UNLOADED, FAILED);
            case ACTIVE -> EnumSet.of(LOADING);
            case FAILED -> EnumSet.of(LOADING, ACTIVE);
        };
    }
}
