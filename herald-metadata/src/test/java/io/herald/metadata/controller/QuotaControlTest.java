package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.api.QuotaAdmin.Alteration;
import io.herald.metadata.api.QuotaAdmin.Op;
import io.herald.metadata.controller.ControllerCommand.AlterClientQuotas;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerLogic.Decision;
import io.herald.metadata.controller.ControllerReply.EntityError;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.QuotaEntity;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.metadata.record.MetadataRecord;
import io.herald.metadata.record.MetadataRecord.ClientQuotaRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AlterClientQuotas decisions against Kafka 4.3.1's rules and messages (ClientQuotaControlManager): per-entity
 * refusals, the accepted changes in one entry, no record for a change that changes nothing, and the quotas'
 * durability in the metadata log.
 */
class QuotaControlTest {
    private static final QuotaEntity ALICE = entity(QuotaEntity.USER, "alice");
    private static final QuotaEntity DEFAULT_USER = entity(QuotaEntity.USER, null);

    @TempDir
    Path dir;

    /** An entity of type/name pairs; a null name is the type's default. */
    static QuotaEntity entity(String... typesAndNames) {
        Map<String, Optional<String>> parts = new LinkedHashMap<>();
        for (int i = 0; i < typesAndNames.length; i += 2) {
            parts.put(typesAndNames[i], Optional.ofNullable(typesAndNames[i + 1]));
        }
        return QuotaEntity.of(parts);
    }

    private static Alteration set(QuotaEntity entity, String key, double value) {
        return new Alteration(entity, List.of(new Op(key, OptionalDouble.of(value))));
    }

    private static Alteration remove(QuotaEntity entity, String key) {
        return new Alteration(entity, List.of(new Op(key, OptionalDouble.empty())));
    }

    private static ClusterImage newCluster() {
        ClusterImage image = ClusterImage.EMPTY;
        for (MetadataRecord r : ControllerLogic.decide(image, new InitCluster("c"), 1, 1).records()) {
            image = image.apply(r);
        }
        return image;
    }

    private static Decision decide(ClusterImage image, Alteration... alterations) {
        return ControllerLogic.decide(image, new AlterClientQuotas(List.of(alterations)), image.offset() + 1, 1);
    }

    private static ClusterImage apply(ClusterImage image, Decision decision) {
        for (MetadataRecord r : decision.records()) {
            image = image.apply(r);
        }
        return image;
    }

    private static List<EntityError> results(Decision decision) {
        return ControllerReply.decodeEntityErrors(decision.payload());
    }

    private static EntityError ok(QuotaEntity entity) {
        return new EntityError(entity, Errors.NONE.code(), "");
    }

    private static EntityError invalid(QuotaEntity entity, String message) {
        return new EntityError(entity, Errors.INVALID_REQUEST.code(), message);
    }

    @Test
    void acceptedChangesOfSeveralEntitiesAreOneEntryOfRecords() {
        QuotaEntity aliceApp = entity(QuotaEntity.USER, "alice", QuotaEntity.CLIENT_ID, "app");
        QuotaEntity anyClient = entity(QuotaEntity.CLIENT_ID, null);
        Decision d = decide(newCluster(), new Alteration(ALICE, List.of(
                        new Op("producer_byte_rate", OptionalDouble.of(1024)),
                        new Op("consumer_byte_rate", OptionalDouble.of(2048)))),
                set(aliceApp, "request_percentage", 12.5), set(anyClient, "controller_mutation_rate", 0.5));

        assertThat(results(d)).containsExactly(ok(ALICE), ok(aliceApp), ok(anyClient));
        assertThat(d.records()).containsExactly(
                new ClientQuotaRecord(ALICE, "producer_byte_rate", OptionalDouble.of(1024)),
                new ClientQuotaRecord(ALICE, "consumer_byte_rate", OptionalDouble.of(2048)),
                new ClientQuotaRecord(aliceApp, "request_percentage", OptionalDouble.of(12.5)),
                new ClientQuotaRecord(anyClient, "controller_mutation_rate", OptionalDouble.of(0.5)));
        ClusterImage image = apply(newCluster(), d);
        assertThat(image.clientQuotas().quotas(ALICE)).containsExactly(Map.entry("consumer_byte_rate", 2048.0),
                Map.entry("producer_byte_rate", 1024.0));
        assertThat(image.clientQuotas().quota(anyClient, "controller_mutation_rate")).contains(0.5);
    }

    @Test
    void aChangeThatChangesNothingSucceedsWithoutARecord() {
        ClusterImage image = apply(newCluster(), decide(newCluster(), set(ALICE, "producer_byte_rate", 1024)));

        Decision same = decide(image, set(ALICE, "producer_byte_rate", 1024));
        Decision removeUnset = decide(image, remove(ALICE, "consumer_byte_rate"));
        Decision removeUnknownKey = decide(image, remove(ALICE, "no_such_key"));

        for (Decision d : List.of(same, removeUnset, removeUnknownKey)) {
            assertThat(results(d)).containsExactly(ok(ALICE));
            assertThat(d.records()).isEmpty();
        }
    }

    @Test
    void removingTheLastQuotaOfAnEntityForgetsTheEntity() {
        ClusterImage image = apply(newCluster(), decide(newCluster(), set(ALICE, "producer_byte_rate", 1024)));

        Decision d = decide(image, remove(ALICE, "producer_byte_rate"));

        assertThat(results(d)).containsExactly(ok(ALICE));
        assertThat(apply(image, d).clientQuotas().isEmpty()).isTrue();
    }

    @Test
    void invalidEntitiesAreRefusedWithKafkasMessages() {
        QuotaEntity empty = entity();
        QuotaEntity group = entity("group", "g");
        QuotaEntity emptyName = entity(QuotaEntity.USER, "");
        QuotaEntity ipAndUser = entity(QuotaEntity.IP, "10.0.0.1", QuotaEntity.USER, "alice");
        QuotaEntity badIp = entity(QuotaEntity.IP, "10.0.0.256");
        Decision d = decide(newCluster(), set(empty, "producer_byte_rate", 1), set(group, "producer_byte_rate", 1),
                set(emptyName, "producer_byte_rate", 1), set(ipAndUser, "connection_creation_rate", 1),
                set(badIp, "connection_creation_rate", 1));

        assertThat(results(d)).containsExactly(
                invalid(empty, "Invalid empty client quota entity"),
                invalid(group, "Unhandled client quota entity type: group"),
                invalid(emptyName, "Empty user not supported"),
                invalid(ipAndUser, "Invalid quota entity combination, IP entity shouldnot be combined with User or "
                        + "ClientId"),
                invalid(badIp, "10.0.0.256 is not a valid IP or resolvable host."));
        assertThat(d.records()).isEmpty();
    }

    @Test
    void invalidValuesRefuseTheWholeEntity() {
        QuotaEntity bob = entity(QuotaEntity.USER, "bob");
        QuotaEntity carol = entity(QuotaEntity.USER, "carol");
        QuotaEntity dave = entity(QuotaEntity.USER, "dave");
        QuotaEntity ip = entity(QuotaEntity.IP, "192.168.0.1");
        QuotaEntity anyIp = entity(QuotaEntity.IP, null);
        Decision d = decide(newCluster(),
                new Alteration(ALICE, List.of(new Op("producer_byte_rate", OptionalDouble.of(1024)),
                        new Op("consumer_byte_rate", OptionalDouble.of(0.5)))),
                set(bob, "request_percentage", 0), set(carol, "connection_creation_rate", 5),
                set(dave, "request_percentage", Double.NaN), set(ip, "producer_byte_rate", 5),
                set(anyIp, "connection_creation_rate", 3e9));

        assertThat(results(d)).containsExactly(
                invalid(ALICE, "consumer_byte_rate cannot be a fractional value."),
                invalid(bob, "Quota request_percentage must be greater than 0"),
                invalid(carol, "Invalid configuration key connection_creation_rate"),
                invalid(dave, "Quota request_percentage must be a finite number"),
                invalid(ip, "Invalid configuration key producer_byte_rate"),
                invalid(anyIp, "Proposed value for connection_creation_rate is too large for an INT."));
        assertThat(d.records()).isEmpty();
    }

    @Test
    void ipEntitiesTakeTheConnectionRateOfAnAddressOrHostName() {
        QuotaEntity v4 = entity(QuotaEntity.IP, "10.1.2.3");
        QuotaEntity v6 = entity(QuotaEntity.IP, "fe80::1");
        QuotaEntity host = entity(QuotaEntity.IP, "broker-1.example.com");
        QuotaEntity anyIp = entity(QuotaEntity.IP, null);
        Decision d = decide(newCluster(), set(v4, "connection_creation_rate", 10),
                set(v6, "connection_creation_rate", 10), set(host, "connection_creation_rate", 10),
                set(anyIp, "connection_creation_rate", 100));

        assertThat(results(d)).containsExactly(ok(v4), ok(v6), ok(host), ok(anyIp));
        assertThat(d.records()).hasSize(4);
        assertThat(QuotaControl.validIpOrHost("under_score")).isFalse();
        assertThat(QuotaControl.validIpOrHost("::zz")).isFalse();
        assertThat(QuotaControl.validIpOrHost("1.2.3")).isFalse();
    }

    @Test
    void aRepeatedKeyOrEntityIsIgnoredAsKafkaIgnoresIt() {
        QuotaEntity bob = entity(QuotaEntity.USER, "bob");
        Decision d = decide(newCluster(),
                new Alteration(bob, List.of(new Op("producer_byte_rate", OptionalDouble.of(1)),
                        new Op("producer_byte_rate", OptionalDouble.of(2)))),
                set(ALICE, "producer_byte_rate", 1024), set(ALICE, "consumer_byte_rate", 2048));

        // Kafka keeps the first alteration of a repeated entity and answers for the entity with the refusal.
        assertThat(results(d)).containsExactly(invalid(bob, "Ignoring duplicate entity {user=bob}"),
                invalid(ALICE, "Ignoring duplicate entity {user=alice}"));
        assertThat(d.records()).containsExactly(
                new ClientQuotaRecord(ALICE, "producer_byte_rate", OptionalDouble.of(1024)));
    }

    @Test
    void quotasSurviveARestartAndValidateOnlyChangesNothing() throws Exception {
        Map<QuotaEntity, ApiError> results;
        Map<QuotaEntity, ApiError> validated;
        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-a")) {
            results = controller.alterClientQuotas(List.of(set(ALICE, "producer_byte_rate", 1024),
                    set(DEFAULT_USER, "producer_byte_rate", 0.5)), false);
            validated = controller.alterClientQuotas(List.of(set(DEFAULT_USER, "request_percentage", 50)), true);
            assertThat(controller.image().clientQuotas().quotas(DEFAULT_USER)).isEmpty();
        }
        assertThat(results).containsExactly(Map.entry(ALICE, ApiError.NONE), Map.entry(DEFAULT_USER,
                new ApiError(Errors.INVALID_REQUEST, "producer_byte_rate cannot be a fractional value.")));
        assertThat(validated).containsExactly(Map.entry(DEFAULT_USER, ApiError.NONE));

        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-a")) {
            assertThat(controller.image().clientQuotas().byEntity()).containsExactly(
                    Map.entry(ALICE, new TreeMap<>(Map.of("producer_byte_rate", 1024.0))));
        }
    }
}
