package io.herald.broker.share;

/** Why records were archived for good, for the dead-letter queue (KIP-1191's reasons). */
public enum ArchiveReason {
    /** A consumer acknowledged them with REJECT. */
    REJECTED,
    /** They were released, timed out or left by a closing session after their last allowed delivery
     *  ({@code share.delivery.count.limit}). */
    DELIVERY_LIMIT,
    /** Their TTL ({@code herald.message.ttl.ms}, {@code herald.ttl.ms}) passed before they were delivered. */
    EXPIRED
}
