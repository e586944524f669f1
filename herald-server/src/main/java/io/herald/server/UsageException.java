package io.herald.server;

/**
 * The command line could not be understood. The message is one line, meant for the operator,
 * and names the offending argument; {@link HeraldMain} prints it with the usage line and exits 1.
 */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
