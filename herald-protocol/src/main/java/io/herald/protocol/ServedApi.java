package io.herald.protocol;

import java.util.Objects;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * One API as its handler declares it: the key, the versions the handler implements, and the handler.
 *
 * <p>{@code versions} is a claim about the handler's code (the request fields it reads, the response fields it
 * sets, its version-dependent branches), not about what kafka-clients can parse: a newer kafka-clients must not
 * widen it. The {@link ApiRegistry} only checks that kafka-clients can parse every declared version, and
 * advertises exactly this range in ApiVersions. A version still marked unstable in kafka-clients may be
 * declared; declaring it is how to advertise it.
 */
public record ServedApi(ApiKeys key, VersionRange versions, ApiHandler handler) {

    public ServedApi {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versions, "versions");
        Objects.requireNonNull(handler, "handler");
    }
}
