package io.herald.metadata.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Every client quota of the cluster (Kafka's ClientQuotasImage): the fold of the metadata log's client quota
 * records, by entity and then quota key. A record sets or removes one key of one entity.
 *
 * <p>Invariants: only entities with at least one quota are present; both levels are sorted, so describing and
 * writing a snapshot are deterministic. Immutable: {@link #with} returns a new value, and a record of another kind
 * keeps the same instance, so brokers may cache what they derive from it by identity.
 *
 * @param byEntity entity → quota key → value; unmodifiable
 */
public record ClientQuotas(SortedMap<QuotaEntity, SortedMap<String, Double>> byEntity) {
    /** No quotas: a cluster before its first AlterClientQuotas. */
    public static final ClientQuotas EMPTY = new ClientQuotas(new TreeMap<>());

    /** DescribeClientQuotas' match types (Kafka's ClientQuotaFilterComponent). */
    public static final byte MATCH_EXACT = 0;
    public static final byte MATCH_DEFAULT = 1;
    public static final byte MATCH_SPECIFIED = 2;

    public ClientQuotas {
        TreeMap<QuotaEntity, SortedMap<String, Double>> copy = new TreeMap<>();
        byEntity.forEach((entity, quotas) -> {
            if (!quotas.isEmpty()) {
                copy.put(entity, Collections.unmodifiableSortedMap(new TreeMap<>(quotas)));
            }
        });
        byEntity = Collections.unmodifiableSortedMap(copy);
    }

    /** The value of {@code key} set on exactly {@code entity}, if any. */
    public Optional<Double> quota(QuotaEntity entity, String key) {
        SortedMap<String, Double> quotas = byEntity.get(entity);
        return quotas == null ? Optional.empty() : Optional.ofNullable(quotas.get(key));
    }

    /** The quotas set on exactly {@code entity}, by key; empty if none. */
    public SortedMap<String, Double> quotas(QuotaEntity entity) {
        return byEntity.getOrDefault(entity, Collections.emptySortedMap());
    }

    public boolean isEmpty() {
        return byEntity.isEmpty();
    }

    /** These quotas with {@code key} of {@code entity} set (present) or removed (empty). */
    ClientQuotas with(QuotaEntity entity, String key, OptionalDouble value) {
        TreeMap<QuotaEntity, SortedMap<String, Double>> copy = new TreeMap<>(byEntity);
        TreeMap<String, Double> quotas = new TreeMap<>(quotas(entity));
        if (value.isPresent()) {
            quotas.put(key, value.getAsDouble());
        } else if (quotas.remove(key) == null) {
            return this;
        }
        copy.put(entity, quotas);
        return new ClientQuotas(copy);
    }

    /**
     * One component of a DescribeClientQuotas filter.
     *
     * @param matchType {@link #MATCH_EXACT} (the entity's {@code entityType} part is named {@code match}),
     *                  {@link #MATCH_DEFAULT} (it is the default) or {@link #MATCH_SPECIFIED} (it is there, named or
     *                  default); any other value is refused
     * @param match     the name for an exact match, empty otherwise
     */
    public record QuotaFilter(String entityType, byte matchType, Optional<String> match) {}

    /**
     * The entities DescribeClientQuotas answers, in entity order, with Kafka's rules: every component must match,
     * and with {@code strict} the entity has no other parts.
     *
     * @throws InvalidRequestException     for an empty or repeated entity type, a match type without the match it
     *                                     needs (or with one it must not have), an unknown match type, or an ip
     *                                     component beside a user or client-id one; Kafka's messages
     * @throws UnsupportedVersionException for an entity type other than user, client-id and ip
     */
    public SortedMap<QuotaEntity, SortedMap<String, Double>> describe(List<QuotaFilter> filter, boolean strict) {
        Map<String, Optional<String>> exact = new HashMap<>();
        Set<String> specified = new HashSet<>();
        for (QuotaFilter c : filter) {
            String type = c.entityType();
            if (type.isEmpty()) {
                throw new InvalidRequestException("Invalid empty entity type.");
            }
            if (exact.containsKey(type) || specified.contains(type)) {
                throw new InvalidRequestException("Entity type " + type + " cannot appear more than once in the "
                        + "filter.");
            }
            if (!type.equals(QuotaEntity.USER) && !type.equals(QuotaEntity.CLIENT_ID)
                    && !type.equals(QuotaEntity.IP)) {
                throw new UnsupportedVersionException("Unsupported entity type " + type);
            }
            switch (c.matchType()) {
                case MATCH_EXACT -> exact.put(type, Optional.of(c.match().orElseThrow(() ->
                        new InvalidRequestException("Request specified MATCH_TYPE_EXACT, but set match string to "
                                + "null."))));
                case MATCH_DEFAULT -> {
                    requireNoMatch(c, "MATCH_TYPE_DEFAULT");
                    exact.put(type, Optional.empty());
                }
                case MATCH_SPECIFIED -> {
                    requireNoMatch(c, "MATCH_TYPE_SPECIFIED");
                    specified.add(type);
                }
                default -> throw new InvalidRequestException("Unknown match type " + c.matchType());
            }
        }
        boolean ip = exact.containsKey(QuotaEntity.IP) || specified.contains(QuotaEntity.IP);
        boolean userOrClient = exact.containsKey(QuotaEntity.USER) || specified.contains(QuotaEntity.USER)
                || exact.containsKey(QuotaEntity.CLIENT_ID) || specified.contains(QuotaEntity.CLIENT_ID);
        if (ip && userOrClient) {
            throw new InvalidRequestException("Invalid entity filter component combination. IP filter component "
                    + "should not be used with user or clientId filter component.");
        }
        TreeMap<QuotaEntity, SortedMap<String, Double>> matches = new TreeMap<>();
        byEntity.forEach((entity, quotas) -> {
            if (matches(entity, exact, specified, strict)) {
                matches.put(entity, quotas);
            }
        });
        return Collections.unmodifiableSortedMap(matches);
    }

    private static void requireNoMatch(QuotaFilter c, String matchType) {
        if (c.match().isPresent()) {
            throw new InvalidRequestException("Request specified " + matchType + ", but also specified a match "
                    + "string.");
        }
    }

    private static boolean matches(QuotaEntity entity, Map<String, Optional<String>> exact, Set<String> specified,
                                   boolean strict) {
        if (strict && entity.parts().size() != exact.size() + specified.size()) {
            return false;
        }
        for (Map.Entry<String, Optional<String>> e : exact.entrySet()) {
            if (!entity.has(e.getKey()) || !entity.part(e.getKey()).equals(e.getValue())) {
                return false;
            }
        }
        return specified.stream().allMatch(entity::has);
    }

    /** Every entity's quotas as (entity, key, value) triples in order (snapshots). */
    public List<Quota> all() {
        List<Quota> all = new ArrayList<>();
        byEntity.forEach((entity, quotas) -> quotas.forEach((key, value) -> all.add(new Quota(entity, key, value))));
        return all;
    }

    /** One quota of one entity. */
    public record Quota(QuotaEntity entity, String key, double value) {}
}
