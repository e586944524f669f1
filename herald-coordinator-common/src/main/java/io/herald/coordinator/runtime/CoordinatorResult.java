package io.herald.coordinator.runtime;

import java.util.List;

/**
 * What an operation produced: the records that describe its effect on durable state, and its response.
 *
 * <p>Two ways to produce the records, as in Kafka's coordinator runtime:
 * <ul>
 *   <li>{@link #of}: the operation only read the state; the runtime replays the records into the shard, then
 *       appends them. Offset commits and deletions work this way.</li>
 *   <li>{@link #applied}: the operation already replayed the records itself while it computed (each record
 *       through the shard's {@code replay}, because later steps of the operation read what earlier records
 *       did, as in a KIP-848 heartbeat), or changed soft state that the record only snapshots (a classic
 *       group's metadata, as Kafka's classic groups do). The runtime only appends them.</li>
 * </ul>
 * Either way the state after the operation is the state the records lead to, and if the append fails the
 * runtime reloads the shard from the log, so memory never stays ahead of the log.
 *
 * @param records  the records to append, in order, as one batch (durable together or not at all)
 * @param response the answer; sent once the records, and everything appended before them, are committed.
 *                 May be null for operations without an answer (timer tasks).
 * @param replay   whether the runtime must replay {@code records} before appending them
 */
public record CoordinatorResult<T, R>(List<R> records, T response, boolean replay) {

    public CoordinatorResult {
        records = List.copyOf(records);
    }

    /** Records the runtime replays, then appends. */
    public static <T, R> CoordinatorResult<T, R> of(List<R> records, T response) {
        return new CoordinatorResult<>(records, response, true);
    }

    /** Records the operation has already applied; the runtime only appends them. */
    public static <T, R> CoordinatorResult<T, R> applied(List<R> records, T response) {
        return new CoordinatorResult<>(records, response, false);
    }

    /** Nothing to write. */
    public static <T, R> CoordinatorResult<T, R> response(T response) {
        return new CoordinatorResult<>(List.of(), response, false);
    }

    /** Nothing to write and nothing to answer (a timer task that found nothing to do). */
    public static <R> CoordinatorResult<Void, R> empty() {
        return new CoordinatorResult<>(List.of(), null, false);
    }
}
