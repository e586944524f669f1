package io.herald.cli;

/**
 * A failure the user can act on: its message is printed as {@code herald: <message>} on one line of standard
 * error and the command exits 1, without a stack trace. Messages name the thing at fault in the user's words
 * ({@code topic 'orders' does not exist}), not the exception that reported it.
 */
public final class CliException extends RuntimeException {

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
