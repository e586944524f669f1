package io.herald.broker.share;

/**
 * The delivery state of an in-flight record (KIP-932), with Kafka's ids, which are also what the share coordinator
 * stores. Available and Acquired come and go; Acknowledged and Archived are terminal: a record in either is never
 * delivered again, and the share-partition start offset moves over a prefix of them.
 *
 * <p>Archiving (id 3) is Herald's extension for dead-letter topics (KIP-1191 names the state; its exactly-once use
 * is Herald's): a record rejected, or out of deliveries, in a group with a dead-letter topic is persisted Archiving
 * before its copy is written to that topic, and Archived only once the copy is durable. It is never delivered and not
 * terminal, so the start offset waits for it; a new leader that loads it knows its copy may or may not be written
 * and checks the dead-letter topic before writing (see {@code io.herald.broker.share.dlq}). The id sits between
 * Acknowledged and Archived on purpose: the share coordinator resolves overlapping batches of equal delivery count by
 * the higher state id, so a later Archived always replaces the Archiving it finishes.
 */
public enum RecordState {
    AVAILABLE((byte) 0),
    ACQUIRED((byte) 1),
    ACKNOWLEDGED((byte) 2),
    ARCHIVING((byte) 3),
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
     * nothing leaves a terminal state. Herald's Archiving: Acquired → Archiving → Archived.
     */
    public boolean canTransitionFrom(RecordState from) {
        return switch (this) {
            case ACQUIRED -> from == AVAILABLE;
            case AVAILABLE, ACKNOWLEDGED, ARCHIVING -> from == ACQUIRED;
            case ARCHIVED -> from == ACQUIRED || from == AVAILABLE || from == ARCHIVING;
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
            case 3 -> ARCHIVING;
            case 4 -> ARCHIVED;
            default -> throw new IllegalArgumentException("record state id: " + id + " (expected: 0 to 4)");
        };
    }
}
