package io.herald.metadata.image;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a client quota applies to (Kafka's ClientQuotaEntity): a set of entity types, each with a name or, when the
 * name is empty, the type's default. Kafka's types are {@value #USER}, {@value #CLIENT_ID} and {@value #IP}; the
 * controller accepts a user, a client-id or both, or an ip alone (see {@code QuotaControl}), but an entity itself
 * holds any types, so that describe filters and refused alterations can name what the client sent.
 *
 * <p>Immutable; ordered by its parts (type, then default before named, then name), so maps of entities iterate
 * deterministically.
 *
 * @param parts entity type → name, empty for the type's default; unmodifiable and sorted by type
 */
public record QuotaEntity(SortedMap<String, Optional<String>> parts) implements Comparable<QuotaEntity> {
    public static final String USER = "user";
    public static final String CLIENT_ID = "client-id";
    public static final String IP = "ip";

    public QuotaEntity {
        parts = Collections.unmodifiableSortedMap(new TreeMap<>(parts));
    }

    /** The entity of these parts (a name per type, empty for the default). */
    public static QuotaEntity of(Map<String, Optional<String>> parts) {
        return new QuotaEntity(new TreeMap<>(parts));
    }

    /** Whether the entity has a part of {@code type}. */
    public boolean has(String type) {
        return parts.containsKey(type);
    }

    /** The name of the {@code type} part: empty for its default; null if the entity has no such part. */
    public Optional<String> part(String type) {
        return parts.get(type);
    }

    @Override
    public int compareTo(QuotaEntity other) {
        Iterator<Map.Entry<String, Optional<String>>> a = parts.entrySet().iterator();
        Iterator<Map.Entry<String, Optional<String>>> b = other.parts.entrySet().iterator();
        while (a.hasNext() && b.hasNext()) {
            Map.Entry<String, Optional<String>> x = a.next();
            Map.Entry<String, Optional<String>> y = b.next();
            int c = x.getKey().compareTo(y.getKey());
            if (c != 0) {
                return c;
            }
            c = compareNames(x.getValue(), y.getValue());
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(a.hasNext(), b.hasNext());
    }

    private static int compareNames(Optional<String> x, Optional<String> y) {
        if (x.isEmpty() || y.isEmpty()) {
            return Boolean.compare(x.isPresent(), y.isPresent());
        }
        return x.get().compareTo(y.get());
    }

    /** As Kafka's tools print an entity: {@code user=alice, client-id=<default>}. */
    @Override
    public String toString() {
        return parts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().orElse("<default>"))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
