package io.herald.transaction.state;

/**
 * The transaction protocol a client's request speaks (Kafka's {@code transaction.version} feature, KIP-890). Only
 * TV_2 changes the coordinator's behaviour: every EndTxn bumps the producer epoch, the markers carry the bumped
 * epoch, a retried EndTxn is recognised by the epoch being one behind, and the partition leader adds partitions
 * to the transaction on the producer's behalf. Herald reads it from the request version the way Kafka does:
 * EndTxn v5+ and AddPartitionsToTxn v4+ (sent by a partition leader) are TV_2, the rest TV_0.
 */
public enum TransactionVersion {
    TV_0(0),
    TV_1(1),
    TV_2(2);

    private final short level;

    TransactionVersion(int level) {
        this.level = (short) level;
    }

    /** The feature level, as stored in {@code __transaction_state}. */
    public short level() {
        return level;
    }

    /** KIP-890 part 2: the epoch is bumped at the end of every transaction. */
    public boolean supportsEpochBump() {
        return level >= 2;
    }

    /** The version of a stored level; a level newer than this code knows is read as the newest known. */
    public static TransactionVersion fromLevel(short level) {
        if (level < 0) {
            throw new IllegalArgumentException("transaction version: " + level + " (expected: >= 0)");
        }
        return level >= 2 ? TV_2 : level == 1 ? TV_1 : TV_0;
    }
}
