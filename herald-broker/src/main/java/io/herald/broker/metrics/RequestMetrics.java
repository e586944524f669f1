package io.herald.broker.metrics;

import io.herald.protocol.RequestObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Requests per API, as Kafka's RequestMetrics has them: {@code herald_requests_seconds} (a histogram of the time
 * from a request's arrival to its response on the socket, with its count and sum) and
 * {@code herald_request_errors_total} by API and Kafka error name ({@link ResponseErrors} says which codes count;
 * a request whose handler failed and closed the connection counts as {@code error="CLOSED"}).
 *
 * <p>Thread-safe and cheap: called on the event loops; meters are made once per API (and error) and then looked
 * up in an array.
 */
public final class RequestMetrics implements RequestObserver {
    /** Histogram buckets: from a cached Metadata answer to a long-poll fetch or a join that waits a rebalance. */
    private static final Duration[] BUCKETS = {Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30)};
    private static final int MAX_API_KEY = 128;

    private final MeterRegistry registry;
    private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(MAX_API_KEY);
    private final ConcurrentHashMap<Integer, Counter> errors = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void completed(ApiKeys api, long latencyNanos, ApiMessage response) {
        timer(api).record(latencyNanos, TimeUnit.NANOSECONDS);
        if (response != null) {
            ResponseErrors.forEach(response, code -> error(api, Errors.forCode((short) code).name()).increment());
        }
    }

    @Override
    public void failed(ApiKeys api, long latencyNanos) {
        timer(api).record(latencyNanos, TimeUnit.NANOSECONDS);
        error(api, "CLOSED").increment();
    }

    private Timer timer(ApiKeys api) {
        int id = api.id;
        Timer timer = timers.get(id);
        if (timer == null) {
            timer = Timer.builder("herald.requests").tag("api", api.name)
                    .description("Requests answered, by API: time from arrival to response sent")
                    .serviceLevelObjectives(BUCKETS).register(registry);
            timers.compareAndSet(id, null, timer);
        }
        return timer;
    }

    private Counter error(ApiKeys api, String error) {
        int key = api.id << 16 | (error.hashCode() & 0xffff);
        Counter counter = errors.get(key);
        if (counter == null || !counter.getId().getTag("error").equals(error)) {
            counter = Counter.builder("herald.request.errors").tag("api", api.name).tag("error", error)
                    .description("Errors in responses, by API and Kafka error").register(registry);
            errors.put(key, counter);
        }
        return counter;
    }
}
