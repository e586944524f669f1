package io.herald.broker.quota;

import io.herald.metadata.image.ClientQuotas;
import io.herald.metadata.image.QuotaEntity;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Which quota applies to a client, with Kafka's precedence (its DefaultQuotaCallback), separately for each quota
 * type: the first of these entities that sets the type's key wins.
 *
 * <ol>
 *   <li>user and client-id: {@code /users/<user>/clients/<client-id>}</li>
 *   <li>{@code /users/<user>/clients/<default>}</li>
 *   <li>{@code /users/<user>}</li>
 *   <li>{@code /users/<default>/clients/<client-id>}</li>
 *   <li>{@code /users/<default>/clients/<default>}</li>
 *   <li>{@code /users/<default>}</li>
 *   <li>{@code /clients/<client-id>}</li>
 *   <li>{@code /clients/<default>}</li>
 * </ol>
 *
 * The user is the principal's name ({@code ANONYMOUS} for an unauthenticated client, which the default user
 * quotas cover too). The winning entity also says which clients share one measurement, as Kafka's metric tags
 * do: at levels 1, 2, 4 and 5 each user and client-id pair is measured on its own, at 3 and 6 all clients of
 * the user together, at 7 and 8 all users of the client-id together.
 *
 * <p>Thread-safe. Resolutions are cached until the image's quotas change (and dropped when too many distinct
 * clients have been seen), so a request costs one map lookup.
 */
final class QuotaResolver {
    /** Distinct clients cached before the cache starts over. */
    private static final int MAX_CACHED = 10_000;

    /**
     * The quota of one client and quota type.
     *
     * @param limit       the quota's value
     * @param sensorUser  the user the measurement is shared by, "" for all users
     * @param sensorClient the client-id the measurement is shared by, "" for all client-ids
     */
    record Resolved(double limit, String sensorUser, String sensorClient) {}

    private record Client(QuotaType type, String user, String clientId) {}

    private final Supplier<ClientQuotas> quotas;
    private final Map<Client, Optional<Resolved>> cache = new ConcurrentHashMap<>();
    private volatile ClientQuotas cachedFor;

    QuotaResolver(Supplier<ClientQuotas> quotas) {
        this.quotas = quotas;
    }

    /** The quotas of the current image (callers check {@link ClientQuotas#isEmpty()} for the no-quota path). */
    ClientQuotas current() {
        return quotas.get();
    }

    /** The quota of {@code type} for the client, or empty when none applies (no limit). */
    Optional<Resolved> resolve(QuotaType type, String user, String clientId) {
        ClientQuotas current = quotas.get();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        if (current != cachedFor || cache.size() > MAX_CACHED) {
            cache.clear();
            cachedFor = current;
        }
        return cache.computeIfAbsent(new Client(type, user, clientId), c -> resolve(current, c));
    }

    private static Optional<Resolved> resolve(ClientQuotas quotas, Client c) {
        Optional<String> user = Optional.of(c.user());
        Optional<String> client = Optional.of(c.clientId());
        Optional<String> byDefault = Optional.empty();
        String key = c.type().key();
        Optional<Double> limit;
        if ((limit = quota(quotas, key, user, client)).isPresent()
                || (limit = quota(quotas, key, user, byDefault)).isPresent()) {
            return Optional.of(new Resolved(limit.get(), c.user(), c.clientId()));
        }
        if ((limit = quota(quotas, key, user, null)).isPresent()) {
            return Optional.of(new Resolved(limit.get(), c.user(), ""));
        }
        if ((limit = quota(quotas, key, byDefault, client)).isPresent()
                || (limit = quota(quotas, key, byDefault, byDefault)).isPresent()) {
            return Optional.of(new Resolved(limit.get(), c.user(), c.clientId()));
        }
        if ((limit = quota(quotas, key, byDefault, null)).isPresent()) {
            return Optional.of(new Resolved(limit.get(), c.user(), ""));
        }
        if ((limit = quota(quotas, key, null, client)).isPresent()
                || (limit = quota(quotas, key, null, byDefault)).isPresent()) {
            return Optional.of(new Resolved(limit.get(), "", c.clientId()));
        }
        return Optional.empty();
    }

    /**
     * The value of {@code key} on the entity of the given parts; a null part is absent from the entity, an empty
     * one is its default.
     */
    private static Optional<Double> quota(ClientQuotas quotas, String key, Optional<String> user,
                                          Optional<String> clientId) {
        Map<String, Optional<String>> parts = new java.util.TreeMap<>();
        if (user != null) {
            parts.put(QuotaEntity.USER, user);
        }
        if (clientId != null) {
            parts.put(QuotaEntity.CLIENT_ID, clientId);
        }
        return quotas.quota(QuotaEntity.of(parts), key);
    }
}
