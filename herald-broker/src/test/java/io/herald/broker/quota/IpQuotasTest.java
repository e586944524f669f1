package io.herald.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.image.ClientQuotas;
import io.herald.metadata.image.QuotaEntity;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** connection_creation_rate of ip entities, by address, as the metadata image changes. */
class IpQuotasTest {

    private static ClientQuotas quotas(Map<Optional<String>, Double> byIp) {
        TreeMap<QuotaEntity, java.util.SortedMap<String, Double>> entities = new TreeMap<>();
        byIp.forEach((ip, rate) -> entities.put(QuotaEntity.of(Map.of(QuotaEntity.IP, ip)),
                new TreeMap<>(Map.of(IpQuotas.CONNECTION_CREATION_RATE, rate))));
        entities.put(QuotaEntity.of(Map.of(QuotaEntity.USER, Optional.of("alice"))),
                new TreeMap<>(Map.of("producer_byte_rate", 1024.0)));
        return new ClientQuotas(entities);
    }

    @Test
    void anAddressHasItsOwnQuotaElseTheDefaultIpEntitysAndHostNamesDoNotApply() throws Exception {
        AtomicReference<ClientQuotas> image = new AtomicReference<>(quotas(Map.of(Optional.of("127.0.0.1"), 5.0,
                Optional.of("0:0:0:0:0:0:0:1"), 7.0, Optional.of("broker.example.com"), 9.0)));
        IpQuotas ips = new IpQuotas(image::get);

        assertThat(ips.creationRate(InetAddress.getByName("127.0.0.1"))).hasValue(5.0);
        assertThat(ips.creationRate(InetAddress.getByName("::1"))).as("another spelling").hasValue(7.0);
        assertThat(ips.creationRate(InetAddress.getByName("10.1.2.3"))).isEmpty();

        image.set(quotas(Map.of(Optional.empty(), 2.0, Optional.of("127.0.0.1"), 5.0)));
        assertThat(ips.creationRate(InetAddress.getByName("10.1.2.3"))).as("the default").hasValue(2.0);
        assertThat(ips.creationRate(InetAddress.getByName("127.0.0.1"))).hasValue(5.0);

        image.set(ClientQuotas.EMPTY);
        assertThat(ips.creationRate(InetAddress.getByName("127.0.0.1"))).isEmpty();
    }
}
