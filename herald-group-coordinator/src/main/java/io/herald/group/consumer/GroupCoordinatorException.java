package io.herald.group.consumer;

import org.apache.kafka.common.protocol.Errors;

/** An expected client error: becomes the error code and message of the response. */
final class GroupCoordinatorException extends RuntimeException {

    private final Errors error;

    GroupCoordinatorException(Errors error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    Errors error() {
        return error;
    }
}
