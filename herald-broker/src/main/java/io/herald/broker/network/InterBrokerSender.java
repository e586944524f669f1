package io.herald.broker.network;

import io.herald.common.concurrent.ThreadFactories;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests from this broker to another (transaction markers to partition leaders, transaction verification to a
 * coordinator), by broker id: the address comes from the current metadata image. Requests to one broker are sent
 * one at a time, in order, over one connection, by a thread of their own ({@code herald-inter-broker-<id>}), so
 * a slow or dead broker delays only its own requests.
 *
 * <p>A failed send fails the future with {@link NetworkException} (or {@link BrokerNotAvailableException} when the
 * broker is not in the metadata); callers retry as their protocol says.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class InterBrokerSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InterBrokerSender.class);

    private final int localBrokerId;
    private final Supplier<ClusterImage> images;
    private final int requestTimeoutMs;
    private final InterBrokerSecurity security;
    private final Map<Integer, Destination> destinations = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One broker's queue: its thread and its connection (recreated when the broker's address changes). */
    private final class Destination {
        final int brokerId;
        final ExecutorService thread;
        BrokerConnection connection; // confined to thread

        Destination(int brokerId) {
            this.brokerId = brokerId;
            this.thread = Executors.newSingleThreadExecutor(ThreadFactories.single("herald-inter-broker-"
                    + brokerId));
        }

        AbstractResponse send(AbstractRequest request) throws IOException {
            BrokerImage broker = Optional.ofNullable(images.get().brokers().get(brokerId)).orElseThrow(() ->
                    new BrokerNotAvailableException("Broker " + brokerId + " is not registered"));
            BrokerEndpoint endpoint = new BrokerEndpoint(brokerId, broker.host(), broker.port());
            if (connection == null || !connection.endpoint().equals(endpoint)) {
                if (connection != null) {
                    connection.close();
                }
                connection = new BrokerConnection(endpoint, "herald-broker-" + localBrokerId, requestTimeoutMs,
                        security);
            }
            return connection.send(request, requestTimeoutMs);
        }

        void close() {
            thread.shutdownNow();
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (connection != null) {
                connection.close();
            }
        }
    }

    public InterBrokerSender(int localBrokerId, Supplier<ClusterImage> images, int requestTimeoutMs) {
        this(localBrokerId, images, requestTimeoutMs, InterBrokerSecurity.PLAINTEXT);
    }

    /** A sender whose connections are secured as {@code security} says (the inter-broker listener's protocol). */
    public InterBrokerSender(int localBrokerId, Supplier<ClusterImage> images, int requestTimeoutMs,
                             InterBrokerSecurity security) {
        this.security = security;
        this.localBrokerId = localBrokerId;
        this.images = images;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** Sends {@code request} (built at the version to send) to broker {@code brokerId}; completes with its answer. */
    public CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest request) {
        CompletableFuture<AbstractResponse> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new NetworkException("This broker is shutting down"));
            return answer;
        }
        Destination destination = destinations.computeIfAbsent(brokerId, Destination::new);
        try {
            destination.thread.execute(() -> {
                try {
                    answer.complete(destination.send(request));
                } catch (IOException e) {
                    log.debug("{} to broker {} failed: {}", request.apiKey(), brokerId, e.toString());
                    answer.completeExceptionally(new NetworkException(request.apiKey() + " to broker " + brokerId
                            + " failed: " + e.getMessage(), e));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new NetworkException("This broker is shutting down"));
        }
        return answer;
    }

    @Override
    public void close() {
        closed = true;
        destinations.values().forEach(Destination::close);
        destinations.clear();
    }
}
