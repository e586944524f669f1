package io.herald.transaction.state;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The lifecycle of a transactional id's current transaction, as Kafka's transaction coordinator has it (KIP-98,
 * with KIP-890's transaction version 2 additions). The ids are Kafka's, and so are the names that
 * ListTransactions and DescribeTransactions answer with.
 *
 * <pre>
 *            AddPartitions            EndTxn(COMMIT)             markers written
 *   Empty ───────────────▶ Ongoing ─────────────────▶ PrepareCommit ─────────────▶ CompleteCommit
 *     ▲ InitProducerId       │ │     EndTxn(ABORT), timeout                          │
 *     │                      │ └──────────────────────▶ PrepareAbort ──────────────▶ CompleteAbort
 *     │                      │ InitProducerId            ▲                           │
 *     │                      └──▶ PrepareEpochFence ──────┘                           │
 *     └────────────────────────────────────────────────────────────────────────────────┘
 *   Empty/Complete* ──expiry──▶ Dead (a tombstone);  TV2: Empty/Complete* ──EndTxn(ABORT)──▶ PrepareAbort
 * </pre>
 *
 * <p>{@link #PREPARE_EPOCH_FENCE} and {@link #DEAD} are transient: Kafka never writes them to the log (a fence is
 * written as the PrepareAbort it leads to, an expiry as a tombstone), and neither does Herald; they exist so that
 * those moves are checked against the lifecycle like every other.
 */
public enum TransactionState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort"),
    DEAD(6, "Dead"),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence");

    private final byte id;
    private final String stateName;

    TransactionState(int id, String stateName) {
        this.id = (byte) id;
        this.stateName = stateName;
    }

    /** Kafka's id of the state, as stored in {@code __transaction_state}. */
    public byte id() {
        return id;
    }

    /** Kafka's name of the state ("Ongoing"), used by the admin APIs and their filters. */
    public String stateName() {
        return stateName;
    }

    /**
     * Whether a transaction may move to this state from {@code previous}; Kafka's table of valid previous states.
     * A move to the same state is allowed only where Kafka allows it (Empty to Empty: a new epoch; Ongoing to
     * Ongoing: more partitions).
     */
    public boolean canTransitionFrom(TransactionState previous) {
        return previousStates().contains(previous);
    }

    private Set<TransactionState> previousStates() {
        return switch (this) {
            case EMPTY -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case ONGOING -> EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case PREPARE_COMMIT -> EnumSet.of(ONGOING);
            // From Empty and Complete*: transaction version 2 lets a client abort with nothing added (KIP-890).
            case PREPARE_ABORT -> EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case COMPLETE_COMMIT -> EnumSet.of(PREPARE_COMMIT);
            case COMPLETE_ABORT -> EnumSet.of(PREPARE_ABORT);
            case DEAD -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case PREPARE_EPOCH_FENCE -> EnumSet.of(ONGOING);
        };
    }

    /** No transaction in flight: the transactional id may expire, and a new producer may take over at once. */
    public boolean isExpirationAllowed() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }

    /** The transaction's outcome is decided and its markers are being written. */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    public static TransactionState fromId(byte id) {
        return Arrays.stream(values()).filter(s -> s.id == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("transaction state id: " + id + " (expected: 0..7)"));
    }

    /** The state of a Kafka state name, exactly as Kafka spells it; empty for an unknown name. */
    public static Optional<TransactionState> fromName(String name) {
        return Arrays.stream(values()).filter(s -> s.stateName.equals(name)).findFirst();
    }
}
