package io.herald.http.rest;

/** A REST call refused before it reached Kafka: a bad body or parameter (400), an unknown cluster id (404). */
final class RestException extends RuntimeException {
    private final int status;

    RestException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
