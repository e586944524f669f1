package io.herald.common.txn;

/**
 * Proof that a partition leader verified, with the transaction coordinator, that a producer's transaction includes
 * the partition (KIP-890 part 1), handed from the verification to the append it allows. The log creates a guard when
 * verification starts and forgets it when the producer's next end marker is written, so an append that presents the
 * guard after the transaction ended in between is refused instead of opening a transaction no coordinator knows
 * (a hanging transaction, which would hold back the last stable offset for ever).
 *
 * <p>Guards compare by identity; {@link #SENTINEL} stands for "no verification was started" and never verifies.
 * Immutable and thread-safe.
 */
public final class VerificationGuard {
    /** No guard: an append that needs verification and presents this is refused. */
    public static final VerificationGuard SENTINEL = new VerificationGuard("sentinel");

    private final String name;

    private VerificationGuard(String name) {
        this.name = name;
    }

    /** A new guard, distinct from every other. */
    public static VerificationGuard create(long producerId) {
        return new VerificationGuard("producer " + producerId);
    }

    /** Whether this guard is {@code expected}, the one the log holds (never, for the sentinel). */
    public boolean verifies(VerificationGuard expected) {
        return this != SENTINEL && this == expected;
    }

    @Override
    public String toString() {
        return "VerificationGuard(" + name + "@" + Integer.toHexString(System.identityHashCode(this)) + ")";
    }
}
