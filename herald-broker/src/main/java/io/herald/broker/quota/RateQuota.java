package io.herald.broker.quota;

import io.herald.broker.quota.QuotaResolver.Resolved;
import io.herald.common.quota.SampledRate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One rate quota (bytes produced, bytes fetched, or request time) of every client, as Kafka's ClientQuotaManager
 * keeps it: a {@link SampledRate} per measured client (see {@link QuotaResolver} for who shares one), into which
 * each request's cost is recorded; when the rate then exceeds the quota, the client is throttled for as long as
 * the rate needs to fall back to it: {@code (rate - quota) / quota * measured window}. The request quota's
 * throttle is bounded by one window, as Kafka bounds it; the byte quotas' is not.
 *
 * <p>A client without a quota is not measured. A measurement unused for all its windows is dropped once many
 * exist: it holds nothing a new one would not.
 *
 * <p>Thread-safe: called from every connection's event loop and the fetch threads.
 */
final class RateQuota {
    /** Measurements kept before idle ones are dropped. */
    private static final int PURGE_ABOVE = 1_000;

    private record SensorKey(String user, String clientId) {}

    private final QuotaType type;
    private final QuotaResolver resolver;
    private final int samples;
    private final long windowMs;
    private final long maxThrottleMs;
    private final Map<SensorKey, SampledRate> sensors = new ConcurrentHashMap<>();

    RateQuota(QuotaType type, QuotaResolver resolver, QuotaSettings settings) {
        this.type = type;
        this.resolver = resolver;
        this.samples = settings.windowNum();
        this.windowMs = settings.windowMs();
        this.maxThrottleMs = type == QuotaType.REQUEST ? windowMs : Integer.MAX_VALUE;
    }

    /**
     * Records {@code value} for the client at {@code nowMs}.
     *
     * @return the throttle time in ms, 0 when the client is within its quota or has none
     */
    int recordAndThrottleMs(String user, String clientId, double value, long nowMs) {
        Optional<Resolved> quota = resolver.resolve(type, user, clientId);
        if (quota.isEmpty()) {
            return 0;
        }
        SampledRate rate = sensor(quota.get(), nowMs);
        rate.record(value, nowMs);
        return throttleMs(rate, quota.get().limit(), nowMs);
    }

    /** Takes back {@code value} recorded at {@code nowMs} (a throttled fetch sends no records). */
    void unrecord(String user, String clientId, double value, long nowMs) {
        resolver.resolve(type, user, clientId).ifPresent(q -> sensor(q, nowMs).record(-value, nowMs));
    }

    /**
     * The most a client may take in one go without certainly being throttled: its quota over all but one window
     * (Kafka's bound of a fetch's size), or {@link Double#POSITIVE_INFINITY} without a quota.
     */
    double maxValueInWindow(String user, String clientId) {
        return resolver.resolve(type, user, clientId)
                .map(q -> q.limit() * (samples - 1) * (windowMs / 1000.0))
                .orElse(Double.POSITIVE_INFINITY);
    }

    /** The client's measured rate at {@code nowMs}; 0 without a quota (tests and metrics). */
    double rate(String user, String clientId, long nowMs) {
        Optional<Resolved> quota = resolver.resolve(type, user, clientId);
        if (quota.isEmpty()) {
            return 0;
        }
        SampledRate rate = sensors.get(new SensorKey(quota.get().sensorUser(), quota.get().sensorClient()));
        return rate == null ? 0 : rate.rate(nowMs);
    }

    private int throttleMs(SampledRate rate, double limit, long nowMs) {
        double measured = rate.rate(nowMs);
        if (measured <= limit) {
            return 0;
        }
        double throttle = limit <= 0 ? maxThrottleMs : (measured - limit) / limit * rate.windowSizeMs(nowMs);
        return (int) Math.min(maxThrottleMs, Math.round(throttle));
    }

    private SampledRate sensor(Resolved quota, long nowMs) {
        SensorKey key = new SensorKey(quota.sensorUser(), quota.sensorClient());
        SampledRate rate = sensors.get(key);
        if (rate != null) {
            return rate;
        }
        if (sensors.size() >= PURGE_ABOVE) {
            long idleAfter = samples * windowMs;
            sensors.values().removeIf(r -> nowMs - r.lastRecordMs() >= idleAfter);
        }
        return sensors.computeIfAbsent(key, k -> new SampledRate(samples, windowMs, nowMs));
    }
}
