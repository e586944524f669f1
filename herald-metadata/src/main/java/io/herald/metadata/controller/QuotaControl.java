package io.herald.metadata.controller;

import io.herald.metadata.api.QuotaAdmin.Alteration;
import io.herald.metadata.api.QuotaAdmin.Op;
import io.herald.metadata.controller.ControllerCommand.AlterClientQuotas;
import io.herald.metadata.controller.ControllerReply.EntityError;
import io.herald.metadata.image.ClientQuotas;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decisions about client quotas, following Kafka 4.3's controller (ClientQuotaControlManager) rule for rule and
 * word for word, per alteration in request order:
 *
 * <ol>
 *   <li>A key named twice in one alteration, or an entity already altered earlier in the request, answers
 *       INVALID_REQUEST "Ignoring duplicate entity"; the earlier alteration of a repeated entity stays applied, as in
 *       Kafka.</li>
 *   <li>The entity: not empty; only the types user, client-id and ip; no empty name (a default is an absent name);
 *       an ip alone, and a valid address or host name.</li>
 *   <li>Each set: a key of the entity's kind (user/client-id: {@code producer_byte_rate}, {@code consumer_byte_rate}
 *       (whole numbers), {@code request_percentage}, {@code controller_mutation_rate}; ip:
 *       {@code connection_creation_rate}, a whole number up to Integer.MAX_VALUE), a value above 0. The first
 *       invalid set refuses the whole entity. A removal of a key that is not set changes nothing and succeeds, as
 *       does a set to the current value.</li>
 *   <li>Every accepted change becomes one record, and they all take effect in the one log entry.</li>
 * </ol>
 *
 * Two departures, both so that every member decides alike: Kafka resolves an ip entity's host name through DNS,
 * which is not deterministic; Herald accepts an IPv4 or IPv6 literal or a syntactically valid host name. And a value
 * that is not finite (NaN, infinite) is refused, where Kafka would store it. Stateless.
 */
final class QuotaControl {
    /** The quota keys of user and client-id entities, true for those that must be whole numbers (LONG). */
    private static final Map<String, Boolean> USER_AND_CLIENT_KEYS = Map.of("producer_byte_rate", true,
            "consumer_byte_rate", true, "request_percentage", false, "controller_mutation_rate", false);
    /** The quota key of ip entities (INT). */
    static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private QuotaControl() {
    }

    /** Decides every alteration; payload: one {@link EntityError} per distinct entity, in first-named order. */
    static byte[] alterClientQuotas(RecordBuffer buffer, AlterClientQuotas c) {
        ClientQuotas current = buffer.image().clientQuotas();
        Map<QuotaEntity, EntityError> results = new LinkedHashMap<>();
        for (Alteration a : c.alterations()) {
            QuotaEntity entity = a.entity();
            boolean duplicateKey = a.ops().stream().map(Op::key).distinct().count() < a.ops().size();
            if (duplicateKey || results.containsKey(entity)) {
                results.put(entity, error(entity, "Ignoring duplicate entity " + entity));
                continue;
            }
            Optional<String> refusal = checkEntity(entity);
            if (refusal.isEmpty()) {
                List<ClientQuotaRecord> records = new ArrayList<>();
                refusal = decide(entity, a.ops(), current.quotas(entity), records);
                if (refusal.isEmpty()) {
                    records.forEach(buffer::add);
                }
            }
            results.put(entity, refusal.map(message -> error(entity, message))
                    .orElseGet(() -> new EntityError(entity, Errors.NONE.code(), "")));
        }
        return ControllerReply.encodeEntityErrors(List.copyOf(results.values()));
    }

    /** The records of one valid entity's ops, or the refusal of the first invalid set. */
    private static Optional<String> decide(QuotaEntity entity, List<Op> ops, SortedMap<String, Double> current,
                                           List<ClientQuotaRecord> records) {
        boolean ip = entity.has(QuotaEntity.IP);
        for (Op op : ops) {
            if (op.value().isEmpty()) {
                if (current.containsKey(op.key())) {
                    records.add(new ClientQuotaRecord(entity, op.key(), OptionalDouble.empty()));
                }
                continue;
            }
            double value = op.value().getAsDouble();
            Optional<String> refusal = checkValue(ip, op.key(), value);
            if (refusal.isPresent()) {
                return refusal;
            }
            Double before = current.get(op.key());
            if (before == null || before != value) {
                records.add(new ClientQuotaRecord(entity, op.key(), op.value()));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> checkEntity(QuotaEntity entity) {
        if (entity.parts().isEmpty()) {
            return Optional.of("Invalid empty client quota entity");
        }
        for (Map.Entry<String, Optional<String>> part : entity.parts().entrySet()) {
            String type = part.getKey();
            if (!type.equals(QuotaEntity.USER) && !type.equals(QuotaEntity.CLIENT_ID)
                    && !type.equals(QuotaEntity.IP)) {
                return Optional.of("Unhandled client quota entity type: " + type);
            }
            if (part.getValue().isPresent() && part.getValue().get().isEmpty()) {
                return Optional.of("Empty " + type + " not supported");
            }
        }
        if (entity.has(QuotaEntity.IP)) {
            if (entity.has(QuotaEntity.USER) || entity.has(QuotaEntity.CLIENT_ID)) {
                // Kafka's message, its missing space included.
                return Optional.of("Invalid quota entity combination, IP entity shouldnot be combined with User or "
                        + "ClientId");
            }
            Optional<String> ip = entity.part(QuotaEntity.IP);
            if (ip.isPresent() && !validIpOrHost(ip.get())) {
                return Optional.of(ip.get() + " is not a valid IP or resolvable host.");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> checkValue(boolean ip, String key, double value) {
        Boolean whole = ip ? (key.equals(CONNECTION_CREATION_RATE) ? Boolean.TRUE : null)
                : USER_AND_CLIENT_KEYS.get(key);
        if (whole == null) {
            return Optional.of("Invalid configuration key " + key);
        }
        if (value <= 0.0) {
            return Optional.of("Quota " + key + " must be greater than 0");
        }
        if (!Double.isFinite(value)) {
            return Optional.of("Quota " + key + " must be a finite number");
        }
        if (ip && value > Integer.MAX_VALUE) {
            return Optional.of("Proposed value for " + key + " is too large for an INT.");
        }
        if (!ip && whole && value > Long.MAX_VALUE) {
            return Optional.of("Proposed value for " + key + " is too large for a LONG.");
        }
        if (whole && Math.abs(value % 1.0) > 1e-6) {
            return Optional.of(key + " cannot be a fractional value.");
        }
        return Optional.empty();
    }

    /** An IPv4 or IPv6 literal, or a host name of RFC 1123 labels; never a DNS lookup. */
    static boolean validIpOrHost(String name) {
        if (name.contains(":")) {
            try {
                InetAddress.getByName(name); // a literal with a colon is parsed as IPv6, never looked up
                return true;
            } catch (UnknownHostException | SecurityException e) {
                return false;
            }
        }
        if (IPV4.matcher(name).matches()) {
            String[] octets = name.split("\\.", -1);
            if (octets.length != 4) {
                return false;
            }
            for (String octet : octets) {
                if (octet.isEmpty() || octet.length() > 3 || Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static EntityError error(QuotaEntity entity, String message) {
        return new EntityError(entity, Errors.INVALID_REQUEST.code(), message);
    }
}
