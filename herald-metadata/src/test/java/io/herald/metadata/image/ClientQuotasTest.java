package io.herald.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.ClientQuotas.QuotaFilter;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;

/** DescribeClientQuotas' filter semantics, as Kafka 4.3.1's ClientQuotasImage.describe applies them. */
class ClientQuotasTest {
    private static final QuotaEntity ALICE = entity(QuotaEntity.USER, "alice");
    private static final QuotaEntity ANY_USER = entity(QuotaEntity.USER, null);
    private static final QuotaEntity ALICE_APP = entity(QuotaEntity.USER, "alice", QuotaEntity.CLIENT_ID, "app");
    private static final QuotaEntity ANY_USER_APP = entity(QuotaEntity.USER, null, QuotaEntity.CLIENT_ID, "app");
    private static final QuotaEntity APP = entity(QuotaEntity.CLIENT_ID, "app");
    private static final QuotaEntity IP = entity(QuotaEntity.IP, "10.0.0.1");

    private static final ClientQuotas QUOTAS = quotas(ALICE, ANY_USER, ALICE_APP, ANY_USER_APP, APP, IP);

    private static QuotaEntity entity(String... typesAndNames) {
        Map<String, Optional<String>> parts = new LinkedHashMap<>();
        for (int i = 0; i < typesAndNames.length; i += 2) {
            parts.put(typesAndNames[i], Optional.ofNullable(typesAndNames[i + 1]));
        }
        return QuotaEntity.of(parts);
    }

    private static ClientQuotas quotas(QuotaEntity... entities) {
        ClusterImage image = ClusterImage.EMPTY;
        for (QuotaEntity e : entities) {
            image = image.apply(new ClientQuotaRecord(e, e.has(QuotaEntity.IP) ? "connection_creation_rate"
                    : "producer_byte_rate", OptionalDouble.of(100)));
        }
        return image.clientQuotas();
    }

    private static QuotaFilter exact(String type, String name) {
        return new QuotaFilter(type, ClientQuotas.MATCH_EXACT, Optional.of(name));
    }

    private static QuotaFilter byDefault(String type) {
        return new QuotaFilter(type, ClientQuotas.MATCH_DEFAULT, Optional.empty());
    }

    private static QuotaFilter specified(String type) {
        return new QuotaFilter(type, ClientQuotas.MATCH_SPECIFIED, Optional.empty());
    }

    @Test
    void withoutStrictAnEntityMayHaveMorePartsThanTheFilterNames() {
        assertThat(QUOTAS.describe(List.of(exact(QuotaEntity.USER, "alice")), false)).containsOnlyKeys(ALICE,
                ALICE_APP);
        assertThat(QUOTAS.describe(List.of(byDefault(QuotaEntity.USER)), false)).containsOnlyKeys(ANY_USER,
                ANY_USER_APP);
        assertThat(QUOTAS.describe(List.of(specified(QuotaEntity.CLIENT_ID)), false)).containsOnlyKeys(ALICE_APP,
                ANY_USER_APP, APP);
        assertThat(QUOTAS.describe(List.of(), false)).hasSize(6);
    }

    @Test
    void withStrictAnEntityHasExactlyTheFilteredParts() {
        assertThat(QUOTAS.describe(List.of(exact(QuotaEntity.USER, "alice")), true)).containsOnlyKeys(ALICE);
        assertThat(QUOTAS.describe(List.of(specified(QuotaEntity.USER)), true)).containsOnlyKeys(ALICE, ANY_USER);
        assertThat(QUOTAS.describe(List.of(specified(QuotaEntity.USER), exact(QuotaEntity.CLIENT_ID, "app")), true))
                .containsOnlyKeys(ALICE_APP, ANY_USER_APP);
        assertThat(QUOTAS.describe(List.of(), true)).isEmpty();
        assertThat(QUOTAS.describe(List.of(specified(QuotaEntity.IP)), true)).containsOnlyKeys(IP);
    }

    @Test
    void invalidFiltersAreRefusedWithKafkasErrors() {
        assertThatThrownBy(() -> QUOTAS.describe(List.of(exact("", "x")), false))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Invalid empty entity type.");
        assertThatThrownBy(() -> QUOTAS.describe(List.of(specified(QuotaEntity.USER), byDefault(QuotaEntity.USER)),
                false)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Entity type user cannot appear more than once in the filter.");
        assertThatThrownBy(() -> QUOTAS.describe(List.of(specified("group")), false))
                .isInstanceOf(UnsupportedVersionException.class).hasMessage("Unsupported entity type group");
        assertThatThrownBy(() -> QUOTAS.describe(List.of(new QuotaFilter(QuotaEntity.USER, ClientQuotas.MATCH_EXACT,
                Optional.empty())), false)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Request specified MATCH_TYPE_EXACT, but set match string to null.");
        assertThatThrownBy(() -> QUOTAS.describe(List.of(new QuotaFilter(QuotaEntity.USER, ClientQuotas.MATCH_DEFAULT,
                Optional.of("a"))), false)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
        assertThatThrownBy(() -> QUOTAS.describe(List.of(new QuotaFilter(QuotaEntity.USER, (byte) 7,
                Optional.empty())), false)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Unknown match type 7");
        assertThatThrownBy(() -> QUOTAS.describe(List.of(specified(QuotaEntity.IP), exact(QuotaEntity.USER, "a")),
                false)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("Invalid entity filter component combination.");
    }

    @Test
    void entitiesAreOrderedPartByPartTypeThenDefaultFirstThenName() {
        assertThat(QUOTAS.byEntity().keySet()).containsExactly(APP, ANY_USER_APP, ALICE_APP, IP, ANY_USER,
                ALICE);
    }
}
