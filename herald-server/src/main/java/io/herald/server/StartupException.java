package io.herald.server;

/**
 * The broker cannot start for a reason the operator can fix (unreadable config file, invalid
 * config value, port in use). The message is one line; no stack trace is printed for it.
 */
public final class StartupException extends Exception {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
