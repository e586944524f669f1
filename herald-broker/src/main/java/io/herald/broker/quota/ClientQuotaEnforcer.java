package io.herald.broker.quota;

import io.herald.common.time.Time;
import io.herald.metadata.image.ClientQuotas;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.RequestThrottle;
import io.herald.protocol.Response;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client quotas as Kafka enforces them (its quota managers and KafkaApis), read from the metadata image's client
 * quotas on every request, so an AlterClientQuotas applies to connected clients as soon as this broker has the
 * change (see {@link QuotaResolver} for which quota applies to whom):
 *
 * <ul>
 *   <li>{@code producer_byte_rate}: every Produce request's size is recorded; over the quota, the answer carries
 *       the throttle time and the connection is muted for it, also for acks=0 (which has no answer).</li>
 *   <li>{@code consumer_byte_rate}: a consumer's fetch reads at most what the quota allows in all but one window,
 *       and the records of its answer are recorded; over the quota, the answer is sent without records (they are
 *       taken back from the measurement) with the throttle time, and the connection is muted
 *       ({@link #fetchQuota()}, applied by the fetch handler before its answer leaves the fetch session).</li>
 *   <li>{@code request_percentage}: the time each handler took on the connection's event loop, as a percentage of
 *       one thread's second, is recorded for every request but acks=0 produces; the throttle is at most one
 *       window. Kafka charges its request threads' time; Herald's handlers run on the event loop and hand disk work
 *       to the I/O pool, whose time is not charged.</li>
 *   <li>{@code controller_mutation_rate}: partitions created, added or deleted, through a {@link MutationQuota}
 *       per request ({@link #mutationQuota}).</li>
 * </ul>
 *
 * Exempt, as in Kafka: inter-broker APIs and followers' fetches. The connection's mute is the longest throttle of
 * the request; clients of KIP-219 versions also wait by the answer's {@code throttle_time_ms}.
 *
 * <p>Thread-safe: called on every connection's event loop and on the fetch threads.
 */
public final class ClientQuotaEnforcer implements RequestThrottle {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotaEnforcer.class);
    private static final double NANOS_TO_PERCENT = 100.0 / 1_000_000_000L;

    private final QuotaResolver resolver;
    private final QuotaSettings settings;
    private final Time time;
    private final RateQuota produce;
    private final RateQuota fetch;
    private final RateQuota request;
    private final Map<String, TokenBucket> mutationBuckets = new ConcurrentHashMap<>();

    /**
     * @param quotas the client quotas of the current metadata image
     * @param time   the clock the rates are measured on (monotonic milliseconds)
     */
    public ClientQuotaEnforcer(Supplier<ClientQuotas> quotas, QuotaSettings settings, Time time) {
        this.resolver = new QuotaResolver(Objects.requireNonNull(quotas, "quotas"));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.time = Objects.requireNonNull(time, "time");
        this.produce = new RateQuota(QuotaType.PRODUCE, resolver, settings);
        this.fetch = new RateQuota(QuotaType.FETCH, resolver, settings);
        this.request = new RateQuota(QuotaType.REQUEST, resolver, settings);
    }

    @Override
    public Throttled apply(KafkaRequest req, Response response, long handlerNanos) {
        int handlerThrottle = response instanceof Response.Send send ? ThrottleTimes.get(send.data()) : 0;
        if (resolver.current().isEmpty() || exempt(req)) {
            return new Throttled(response, handlerThrottle);
        }
        String user = user(req);
        String clientId = clientId(req);
        long now = time.hiResClockMs();
        int throttle = handlerThrottle;
        boolean acksZero = false;
        if (req.apiKey() == ApiKeys.PRODUCE) {
            ProduceRequestData data = ((ProduceRequest) req.body()).data();
            acksZero = data.acks() == 0;
            throttle = Math.max(throttle, produce.recordAndThrottleMs(user, clientId, req.sizeInBytes(), now));
        }
        if (!acksZero) {
            throttle = Math.max(throttle, request.recordAndThrottleMs(user, clientId,
                    handlerNanos * NANOS_TO_PERCENT, now));
        }
        if (throttle > handlerThrottle && response instanceof Response.Send send) {
            ThrottleTimes.set(send.data(), throttle);
        }
        if (throttle > 0) {
            log.debug("Throttling {} of user {} client-id {} for {} ms", req.apiKey(), user, clientId, throttle);
        }
        return new Throttled(response, throttle);
    }

    /** The consumer byte quota, for the fetch handler. */
    public FetchQuota fetchQuota() {
        return new FetchQuota() {
            @Override
            public int maxBytes(KafkaRequest req, int requested) {
                if (resolver.current().isEmpty() || exempt(req)) {
                    return requested;
                }
                double max = fetch.maxValueInWindow(user(req), clientId(req));
                return max >= requested ? requested : (int) Math.max(1, max);
            }

            @Override
            public int recordAndThrottleMs(KafkaRequest req, long bytes) {
                if (resolver.current().isEmpty() || exempt(req)) {
                    return 0;
                }
                long now = time.hiResClockMs();
                int throttle = fetch.recordAndThrottleMs(user(req), clientId(req), bytes, now);
                if (throttle > 0) {
                    fetch.unrecord(user(req), clientId(req), bytes, now);
                }
                return throttle;
            }
        };
    }

    /**
     * The {@code controller_mutation_rate} share of one request.
     *
     * @param strict whether the request's version understands THROTTLING_QUOTA_EXCEEDED (see {@link MutationQuota})
     */
    public MutationQuota mutationQuota(KafkaRequest req, boolean strict) {
        if (resolver.current().isEmpty() || exempt(req)) {
            return MutationQuota.UNBOUNDED;
        }
        Optional<QuotaResolver.Resolved> quota = resolver.resolve(QuotaType.CONTROLLER_MUTATION, user(req),
                clientId(req));
        if (quota.isEmpty()) {
            return MutationQuota.UNBOUNDED;
        }
        double rate = quota.get().limit();
        String key = quota.get().sensorUser() + '\u0000' + quota.get().sensorClient();
        TokenBucket bucket = mutationBuckets.computeIfAbsent(key, k -> new TokenBucket(
                settings.controllerWindowNum(), settings.controllerWindowMs(), rate, time.hiResClockMs()));
        return new MutationQuota() {
            private int throttleMs;

            @Override
            public boolean tryTake(int permits) {
                long now = time.hiResClockMs();
                if (strict && bucket.tokens(rate, now) < 0) {
                    throttleMs = throttleFor(bucket.tokens(rate, now));
                    return false;
                }
                bucket.take(permits, rate, now);
                throttleMs = Math.max(throttleMs, throttleFor(bucket.tokens(rate, now)));
                return true;
            }

            @Override
            public int throttleTimeMs() {
                return throttleMs;
            }

            private int throttleFor(double tokens) {
                return tokens >= 0 || rate <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE,
                        Math.round(-tokens / rate * 1000));
            }
        };
    }

    /** The measured produce byte rate of a client (tests). */
    double produceRate(String user, String clientId) {
        return produce.rate(user, clientId, time.hiResClockMs());
    }

    /** Inter-broker APIs and followers' fetches are not client traffic. */
    private static boolean exempt(KafkaRequest req) {
        return req.apiKey().clusterAction
                || req.apiKey() == ApiKeys.FETCH && ((FetchRequest) req.body()).replicaId() >= 0;
    }

    private static String user(KafkaRequest req) {
        return req.connection().principal().getName();
    }

    private static String clientId(KafkaRequest req) {
        return req.clientId() == null ? "" : req.clientId();
    }
}
