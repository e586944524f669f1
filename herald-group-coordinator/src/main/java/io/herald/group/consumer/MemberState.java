package io.herald.group.consumer;

/**
 * Where a member is in reconciling its current assignment toward its target (KIP-848).
 */
public enum MemberState {
    /** The member owns exactly its target assignment at the target epoch. */
    STABLE((byte) 0),
    /**
     * The member still owns partitions its target gives to others; it keeps its old epoch until
     * it reports (in the heartbeat's owned partitions) that it dropped them.
     */
    UNREVOKED_PARTITIONS((byte) 1),
    /**
     * The member is at the target epoch but some of its target partitions are still owned by
     * other members; it gets them one heartbeat after they are released.
     */
    UNRELEASED_PARTITIONS((byte) 2);

    private final byte code;

    MemberState(byte code) {
        this.code = code;
    }

    /** The stable on-disk code of the state. */
    public byte code() {
        return code;
    }

    public static MemberState fromCode(byte code) {
        for (MemberState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown member state code: " + code + " (expected: 0, 1 or 2)");
    }
}
