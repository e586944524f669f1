package io.herald.share;

import org.apache.kafka.common.protocol.Errors;

/**
 * The error code a share-partition is answered with when its operation failed rather than answered: Kafka's
 * normalization of coordinator operation failures ({@code CoordinatorOperationExceptionHelper}). The runtime has
 * already mapped append and commit failures to coordinator errors; this also covers what reaches it otherwise, so
 * a share-partition leader only ever sees errors it retries (COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR) or UNKNOWN_SERVER_ERROR.
 */
final class ShareErrors {
    private ShareErrors() {
    }

    static Errors forOperationFailure(Throwable cause) {
        Errors error = Errors.forException(cause);
        return switch (error) {
            case NETWORK_EXCEPTION -> Errors.COORDINATOR_LOAD_IN_PROGRESS;
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error;
        };
    }
}
