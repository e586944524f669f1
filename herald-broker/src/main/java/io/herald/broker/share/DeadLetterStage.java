package io.herald.broker.share;

/**
 * Where an Archiving run is on its way to the dead-letter topic. The stages keep the one rule that makes the copy
 * exactly once: a share-partition writes its copies one batch at a time, and the next batch starts only once the
 * previous one is persisted Archived, so at most the newest batch can be in doubt after a failure.
 *
 * <p>Not thread-safe: confined to the share-partition's lock, like the run.
 */
enum DeadLetterStage {
    /** Made Archiving by a lock expiry whose write has not been confirmed: not copied until the intent is durable. */
    UNCONFIRMED,
    /** The Archiving state is persisted; waits for its turn. */
    QUEUED,
    /** Handed to the dead-letter queue, or being checked against it. */
    WRITING,
    /**
     * Loaded Archiving, or its write failed in a way that may have appended it: the dead-letter topic is checked for
     * it before it is written (again).
     */
    IN_DOUBT,
    /** Copied (or the group has no usable dead-letter topic, logged): waits for its Archived write. */
    WRITTEN
}
