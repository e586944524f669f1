package io.herald.broker.quota;

import io.herald.metadata.image.ClientQuotas;
import io.herald.metadata.image.QuotaEntity;
import io.herald.protocol.IpConnectionQuota;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The {@code connection_creation_rate} of ip quota entities in the metadata image, by address: an address's own
 * entity, else the default ip entity ({@code --entity-type ips --entity-default}), as Kafka resolves them. Entity
 * names that are address literals are parsed, so {@code 127.0.0.1} and an IPv6 literal in any spelling match the
 * connection's address. A host-name entity (which the controller accepts, as Kafka does) is not resolved: that
 * would put a DNS lookup on an event loop and differ between brokers; it does not apply.
 *
 * <p>Thread-safe: the parsed table is rebuilt, as a whole, when the image's quotas change.
 */
public final class IpQuotas implements IpConnectionQuota {
    static final String CONNECTION_CREATION_RATE = "connection_creation_rate";
    /** IPv4 dotted decimal or an IPv6 literal: what InetAddress parses without a lookup. */
    private static final java.util.regex.Pattern LITERAL =
            java.util.regex.Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%a-zA-Z]*");
    private static final QuotaEntity DEFAULT_IP = QuotaEntity.of(Map.of(QuotaEntity.IP, Optional.empty()));

    private final Supplier<ClientQuotas> quotas;
    private volatile Table table = new Table(ClientQuotas.EMPTY, Map.of(), OptionalDouble.empty());

    public IpQuotas(Supplier<ClientQuotas> quotas) {
        this.quotas = quotas;
    }

    private record Table(ClientQuotas source, Map<InetAddress, Double> byAddress, OptionalDouble fallback) {
    }

    @Override
    public OptionalDouble creationRate(InetAddress address) {
        Table t = table();
        Double own = t.byAddress().get(address);
        return own != null ? OptionalDouble.of(own) : t.fallback();
    }

    private Table table() {
        ClientQuotas current = quotas.get();
        Table t = table;
        if (t.source() == current) {
            return t;
        }
        Map<InetAddress, Double> byAddress = new HashMap<>();
        for (ClientQuotas.Quota quota : current.all()) {
            Optional<String> name = quota.entity().part(QuotaEntity.IP);
            if (quota.entity().parts().size() != 1 || name == null || name.isEmpty()
                    || !quota.key().equals(CONNECTION_CREATION_RATE) || !LITERAL.matcher(name.get()).matches()) {
                continue;
            }
            try {
                byAddress.put(InetAddress.getByName(name.get()), quota.value());
            } catch (UnknownHostException e) {
                // not an address: the controller validates ip entities, so only an old record could hold one
            }
        }
        Optional<Double> fallback = current.quota(DEFAULT_IP, CONNECTION_CREATION_RATE);
        t = new Table(current, Map.copyOf(byAddress),
                fallback.map(OptionalDouble::of).orElse(OptionalDouble.empty()));
        table = t;
        return t;
    }
}
