package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ApiRegistryTest {

    private static final ApiHandler NOOP = request -> CompletableFuture.completedFuture(new Response.NoResponse());

    @Test
    void apiVersionsIsRegisteredAutomatically() {
        assertThat(new ApiRegistry().versions(ApiKeys.API_VERSIONS))
            .contains(new VersionRange((short) 0, ApiKeys.API_VERSIONS.latestVersion(false)));
    }

    @Test
    void registeredRangeIsClampedToWhatKafkaClientsCanParse() {
        ApiRegistry registry = new ApiRegistry().register(ApiKeys.METADATA, (short) -5, (short) 500, NOOP);
        assertThat(registry.versions(ApiKeys.METADATA))
            .contains(new VersionRange(ApiKeys.METADATA.oldestVersion(), ApiKeys.METADATA.latestVersion()));
        assertThat(registry.versions(ApiKeys.FETCH)).isEmpty();
    }

    @Test
    void rangeOutsideTheParsableVersionsIsRejected() {
        assertThatThrownBy(() -> new ApiRegistry().register(ApiKeys.METADATA, (short) 200, (short) 300, NOOP))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected within");
    }

    @Test
    void registrationAfterFreezeDuplicatesAndApiVersionsAreRejected() {
        ApiRegistry registry = new ApiRegistry().register(ApiKeys.METADATA, NOOP);
        assertThatThrownBy(() -> registry.register(ApiKeys.METADATA, NOOP)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.register(ApiKeys.API_VERSIONS, NOOP)).isInstanceOf(IllegalArgumentException.class);
        registry.freeze();
        assertThatThrownBy(() -> registry.register(ApiKeys.FETCH, NOOP)).isInstanceOf(IllegalStateException.class);
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
        assertThat(ok.apiKeys()).hasSize(1);
        assertThat(registry.apiVersionsResponse((short) 99, good).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
    }
}
