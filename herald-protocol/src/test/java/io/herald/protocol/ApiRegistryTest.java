package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ApiRegistryTest {

    private static final ApiHandler NOOP = request -> CompletableFuture.completedFuture(new Response.NoResponse());

    private static ServedApi api(ApiKeys key, int min, int max) {
        return new ServedApi(key, VersionRange.of(min, max), NOOP);
    }

    @Test
    void apiVersionsIsBuiltInWithItsDeclaredRange() {
        assertThat(new ApiRegistry().versions(ApiKeys.API_VERSIONS)).contains(VersionRange.of(0, 4));
    }

    @Test
    void apiIsServedForExactlyTheDeclaredVersions() {
        ApiRegistry registry = new ApiRegistry().register(api(ApiKeys.METADATA, 4, 12));

        assertThat(registry.versions(ApiKeys.METADATA)).contains(VersionRange.of(4, 12));
        assertThat(registry.handler(ApiKeys.METADATA)).containsSame(NOOP);
        assertThat(registry.versions(ApiKeys.FETCH)).as("not registered").isEmpty();
        assertThat(registry.handler(ApiKeys.FETCH)).isEmpty();
    }

    @Test
    void aVersionStillUnstableInKafkaClientsMayBeDeclared() {
        ApiKeys key = Arrays.stream(ApiKeys.values()).filter(k -> k.latestVersion(true) > k.latestVersion(false))
            .findFirst().orElse(null);
        assumeThat(key).as("kafka-clients has an API with an unstable version").isNotNull();
        short unstable = key.latestVersion(true);

        ApiRegistry registry = new ApiRegistry().register(api(key, key.oldestVersion(), unstable));

        assertThat(registry.versions(key)).contains(VersionRange.of(key.oldestVersion(), unstable));
    }

    @Test
    void versionsNewerThanKafkaClientsParsesAreRejectedAtRegistration() {
        short latest = ApiKeys.METADATA.latestVersion();

        assertThatThrownBy(() -> new ApiRegistry().register(api(ApiKeys.METADATA, 0, latest + 1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("METADATA declares versions 0.." + (latest + 1) + ", but kafka-clients cannot parse them all"
                + " (expected within: " + ApiKeys.METADATA.oldestVersion() + ".." + latest + ")");
    }

    @Test
    void versionsOlderThanKafkaClientsParsesAreRejectedAtRegistration() {
        // Kafka 4 dropped Produce v0-v2 (KIP-896): kafka-clients can no longer parse them.
        assertThatThrownBy(() -> new ApiRegistry().register(api(ApiKeys.PRODUCE, 0, 3)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("PRODUCE declares versions 0..3")
            .hasMessageContaining("expected within: " + ApiKeys.PRODUCE.oldestVersion() + "..");
    }

    @Test
    void anApiKafkaClientsNoLongerParsesIsRejectedAtRegistration() {
        assertThatThrownBy(() -> new ApiRegistry().register(api(ApiKeys.LEADER_AND_ISR, 0, 0)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("LEADER_AND_ISR declares versions 0..0, but kafka-clients parses no version of LEADER_AND_ISR");
    }

    @Test
    void registrationAfterFreezeDuplicatesAndApiVersionsAreRejected() {
        ApiRegistry registry = new ApiRegistry().register(api(ApiKeys.METADATA, 0, 12));
        assertThatThrownBy(() -> registry.register(api(ApiKeys.METADATA, 0, 12)))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.register(api(ApiKeys.API_VERSIONS, 0, 3)))
            .isInstanceOf(IllegalArgumentException.class);
        registry.freeze();
        assertThatThrownBy(() -> registry.register(api(ApiKeys.FETCH, 4, 12)))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("frozen");
    }

    @Test
    void apiVersionsAnswerListsEveryServedApiWithItsDeclaredRange() {
        ApiRegistry registry = new ApiRegistry()
            .register(api(ApiKeys.METADATA, 4, 12))
            .register(api(ApiKeys.FETCH, 4, 10));

        Map<Short, VersionRange> advertised = registry.apiVersionsResponse((short) 4, new ApiVersionsRequestData()
                .setClientSoftwareName("apache-kafka-java").setClientSoftwareVersion("4.3.1"))
            .apiKeys().stream().collect(Collectors.toMap(ApiVersionsResponseData.ApiVersion::apiKey,
                v -> new VersionRange(v.minVersion(), v.maxVersion())));

        assertThat(advertised).containsOnly(
            Map.entry(ApiKeys.API_VERSIONS.id, VersionRange.of(0, 4)),
            Map.entry(ApiKeys.SASL_HANDSHAKE.id, VersionRange.of(0, 1)),
            Map.entry(ApiKeys.SASL_AUTHENTICATE.id, VersionRange.of(0, 2)),
            Map.entry(ApiKeys.METADATA.id, VersionRange.of(4, 12)),
            Map.entry(ApiKeys.FETCH.id, VersionRange.of(4, 10)));
    }

    @Test
    void apiVersionsValidatesSoftwareNameFromV3() {
        ApiRegistry registry = new ApiRegistry();
        ApiVersionsRequestData bad = new ApiVersionsRequestData().setClientSoftwareName("bad name").setClientSoftwareVersion("1");
        ApiVersionsRequestData good = new ApiVersionsRequestData().setClientSoftwareName("apache-kafka-java").setClientSoftwareVersion("4.3.1");
        assertThat(registry.apiVersionsResponse((short) 3, bad).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(registry.apiVersionsResponse((short) 2, bad).errorCode()).isEqualTo(Errors.NONE.code());
        ApiVersionsResponseData ok = registry.apiVersionsResponse((short) 3, good);
        assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
        // ApiVersions and the two SASL APIs are built in.
        assertThat(ok.apiKeys()).hasSize(3);
        assertThat(registry.apiVersionsResponse((short) 99, good).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
    }

    @Test
    void featuresAreReportedFromV3AndLevelZeroRangesOnlyFromV4() {
        FeatureSet features = new FeatureSet(Map.of(
                "transaction.version", VersionRange.of(0, 2), "metadata.version", VersionRange.of(7, 30)),
                Map.of("transaction.version", (short) 2), 51);
        ApiRegistry registry = new ApiRegistry().features(() -> features);
        ApiVersionsRequestData request = new ApiVersionsRequestData().setClientSoftwareName("test")
                .setClientSoftwareVersion("1");
        ApiVersionsResponseData v4 = registry.apiVersionsResponse((short) 4, request);
        assertThat(v4.supportedFeatures()).extracting(f -> f.name() + " " + f.minVersion() + ".." + f.maxVersion())
                .containsExactlyInAnyOrder("transaction.version 0..2", "metadata.version 7..30");
        assertThat(v4.finalizedFeatures()).extracting(f -> f.name() + "=" + f.maxVersionLevel())
                .containsExactly("transaction.version=2");
        assertThat(v4.finalizedFeaturesEpoch()).isEqualTo(51);
        // KAFKA-17011: a v3 client cannot read a supported range that starts at 0.
        assertThat(registry.apiVersionsResponse((short) 3, request).supportedFeatures())
                .extracting(ApiVersionsResponseData.SupportedFeatureKey::name).containsExactly("metadata.version");
        assertThat(registry.apiVersionsResponse((short) 2, request).supportedFeatures()).isEmpty();
    }

    @Test
    void aFinalizedLevelOutsideTheSupportedRangeIsRefused() {
        assertThatThrownBy(() -> new FeatureSet(Map.of("transaction.version", VersionRange.of(0, 1)),
                Map.of("transaction.version", (short) 2), 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
