package io.herald.group.share;

import org.apache.kafka.common.protocol.Errors;

/**
 * An expected client error of a share group operation: it becomes the error code and message of the response.
 * Every check that throws it runs before the operation writes its first record, so a failed operation leaves no
 * trace.
 */
final class ShareGroupException extends RuntimeException {

    private final Errors error;

    ShareGroupException(Errors error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    Errors error() {
        return error;
    }

    static ShareGroupException invalidRequest(String message) {
        return new ShareGroupException(Errors.INVALID_REQUEST, message);
    }

    static ShareGroupException groupNotFound(String message) {
        return new ShareGroupException(Errors.GROUP_ID_NOT_FOUND, message);
    }
}
