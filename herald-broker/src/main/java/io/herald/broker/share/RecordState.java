package io.herald.broker.share;

/**
 * The delivery state of an in-flight record (KIP-932), with Kafka's ids, which are also what the share coordinator
 * stores. Available and Acquired come and go; Acknowledged and Archived are terminal: a record in either is never
 * delivered again, and the share-partition start offset moves over a prefix of them.
 */
public enum RecordState {
    AVAILABLE((byte) 0),
    ACQUIRED((byte) 1),
    ACKNOWLEDGED((byte) 2),
    ARCHIVED((byte) 4);

    private final byte id;

    RecordState(byte id) {
        this.id = id;
    }

    public byte id() {
        return id;
    }

    public boolean isTerminal() {
        return this == ACKNOWLEDGED || this == ARCHIVED;
    }

    /**
     * Kafka's transitions: Available → Acquired; Acquired → Available, Acknowledged or Archived; Available →
     * Archived only by housekeeping (the log start offset moved past it, an aborted transaction, compaction);
     * nothing leaves a terminal state.
     */
    public boolean canTransitionFrom(RecordState from) {
        return switch (this) {
            case ACQUIRED -> from == AVAILABLE;
            case AVAILABLE, ACKNOWLEDGED -> from == ACQUIRED;
            case ARCHIVED -> from == ACQUIRED || from == AVAILABLE;
        };
    }

    /**
     * The state for a stored id; Acquired is never stored (an acquired record is persisted as Available), so an
     * id of 1 read back is Available too.
     *
     * @throws IllegalArgumentException for an id Kafka does not define
     */
    public static RecordState forPersistedId(byte id) {
        return switch (id) {
            case 0, 1 -> AVAILABLE;
            case 2 -> ACKNOWLEDGED;
            case 4 -> ARCHIVED;
            default -> throw new IllegalArgumentException("record state id: " + id + " (expected: 0, 1, 2 or 4)");
        };
    }
}
