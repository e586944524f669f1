package io.herald.coordinator.runtime;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.Errors;

/**
 * What a client is told when a coordinator's write fails. Clients know the coordinator errors, not the
 * partition errors behind them, so the append's error is normalized the way Kafka's group coordinator does:
 * the client retries (COORDINATOR_NOT_AVAILABLE), looks for the new coordinator (NOT_COORDINATOR), or gives up
 * (UNKNOWN_SERVER_ERROR for a batch the log refuses as too large, which a retry would not fix).
 */
public final class CoordinatorErrors {

    private CoordinatorErrors() {
    }

    /** The error for an append that failed. */
    public static ApiException forAppend(Throwable failure) {
        Throwable cause = unwrap(failure);
        Errors error = Errors.forException(cause);
        String message = cause.getMessage();
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    new CoordinatorNotAvailableException(message);
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> new NotCoordinatorException(message);
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> new UnknownServerException(message);
            default -> cause instanceof ApiException api ? api : new UnknownServerException(message);
        };
    }

    /** The error for records appended but not committed in time: leadership lost, or the ISR too slow. */
    public static ApiException forCommit(Throwable failure, String partition) {
        Throwable cause = unwrap(failure);
        if (cause instanceof NotLeaderOrFollowerException) {
            return new NotCoordinatorException("Lost the leadership of " + partition + " before the write "
                    + "committed: " + cause.getMessage());
        }
        return new CoordinatorNotAvailableException("The write to " + partition + " did not commit: "
                + cause.getMessage());
    }

    /** The cause a {@link CompletionException} or {@link ExecutionException} wraps. */
    public static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
