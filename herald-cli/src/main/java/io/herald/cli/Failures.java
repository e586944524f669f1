package io.herald.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Turns what the Kafka clients throw into the one line a shell user reads. Admin futures wrap the broker's answer
 * in {@link ExecutionException}; the clients wrap causes in {@link KafkaException}: the message of the innermost
 * Kafka error is what says what went wrong.
 *
 * <p>Stateless and thread-safe.
 */
public final class Failures {

    private Failures() {
    }

    /** The innermost cause of an {@link ExecutionException}, {@link CompletionException} or wrapping KafkaException. */
    public static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while (current.getCause() != null && current.getCause() != current
                && (current instanceof ExecutionException || current instanceof CompletionException
                        || (current instanceof KafkaException && !(current instanceof ApiException)))) {
            current = current.getCause();
        }
        return current;
    }

    /** The line printed after {@code herald: } for a failure no command translated itself. */
    public static String describe(Throwable failure, String bootstrapServers) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CliException cli) {
            return cli.getMessage();
        }
        if (cause instanceof TimeoutException) {
            return "timed out talking to the cluster at " + bootstrapServers + " (" + message(cause) + ")";
        }
        return message(cause);
    }

    /** A throwable's message, or its class name when it has none. */
    public static String message(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message.strip();
    }

    /** Runs an Admin call's {@code get()}, rethrowing the broker's answer as the unwrapped exception. */
    public static <T> T await(KafkaFutureCall<T> call) {
        try {
            return call.get();
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new KafkaException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", e);
        }
    }

    /** A blocking {@code KafkaFuture.get()}. */
    @FunctionalInterface
    public interface KafkaFutureCall<T> {
        T get() throws ExecutionException, InterruptedException;
    }
}
