package io.herald.protocol;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * The APIs this broker serves, with their version ranges and handlers: the source of truth for
 * the ApiVersions response and for which requests are accepted at all.
 *
 * <p>ApiVersions itself is registered at construction and answered by the protocol layer.
 *
 * <p>Thread-safety: {@code register} is for the single thread that wires the broker. Once the
 * registry is handed to a started {@link KafkaServer} it is {@linkplain #freeze() frozen}: further
 * registration fails, and the event loops read it without locks (the freeze happens before the
 * server's threads start, which publishes the map to them).
 */
public final class ApiRegistry {

    /** Kafka's ApiVersionsRequest.isValid(): client_software_name/version syntax (KIP-511). */
    private static final Pattern SOFTWARE_NAME_OR_VERSION = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    private record Entry(VersionRange versions, ApiHandler handler) {
    }

    private final Map<ApiKeys, Entry> entries = new EnumMap<>(ApiKeys.class);
    private volatile boolean frozen;

    public ApiRegistry() {
        entries.put(ApiKeys.API_VERSIONS, new Entry(stableRange(ApiKeys.API_VERSIONS), this::handleApiVersions));
    }

    /**
     * Serves {@code key} for versions {@code [minVersion, maxVersion]}, clamped to what kafka-clients
     * can parse ({@code [key.oldestVersion(), key.latestVersion()]}, which may include a version still
     * marked unstable: registering it explicitly is how to advertise it).
     *
     * @throws IllegalArgumentException if the clamped range is empty, or for ApiVersions (built in)
     * @throws IllegalStateException    if the registry is frozen or the key is already registered
     */
    public ApiRegistry register(ApiKeys key, short minVersion, short maxVersion, ApiHandler handler) {
        Objects.requireNonNull(key, "key");
        short min = (short) Math.max(minVersion, key.oldestVersion());
        short max = (short) Math.min(maxVersion, key.latestVersion());
        if (min > max) {
            throw new IllegalArgumentException("no version of " + key + " in " + minVersion + ".." + maxVersion
                + " can be parsed (expected within: " + key.oldestVersion() + ".." + key.latestVersion() + ")");
        }
        return put(key, new VersionRange(min, max), handler);
    }

    /**
     * Serves every stable version of {@code key} that kafka-clients supports (unstable versions, which
     * Kafka only advertises with unstable.api.versions.enable, are left out).
     */
    public ApiRegistry register(ApiKeys key, ApiHandler handler) {
        Objects.requireNonNull(key, "key");
        return put(key, stableRange(key), handler);
    }

    private ApiRegistry put(ApiKeys key, VersionRange versions, ApiHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (frozen) {
            throw new IllegalStateException("registry is frozen: the server has started");
        }
        if (key == ApiKeys.API_VERSIONS) {
            throw new IllegalArgumentException("ApiVersions is answered by the protocol layer");
        }
        if (entries.containsKey(key)) {
            throw new IllegalStateException(key + " is already registered");
        }
        entries.put(key, new Entry(versions, handler));
        return this;
    }

    /** Makes the registry read-only; called by {@link KafkaServer#start()}. Idempotent. */
    public void freeze() {
        frozen = true;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** The versions served for {@code key}, or empty if the API is not served. */
    public Optional<VersionRange> versions(ApiKeys key) {
        Entry entry = entries.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.versions());
    }

    /** The handler for {@code key}, or empty if the API is not served. */
    public Optional<ApiHandler> handler(ApiKeys key) {
        Entry entry = entries.get(key);
        return entry == null ? Optional.empty() : Optional.of(entry.handler());
    }

    /**
     * The ApiVersions answer for a request of {@code requestVersion} (the version in the client's
     * header), following Kafka's KafkaApis.handleApiVersionsRequest:
     * <ul>
     *   <li>version newer than served → UNSUPPORTED_VERSION with the api_keys list (the caller
     *       encodes it as version 0, which every client can read);</li>
     *   <li>v3+ with a malformed client_software_name/version → INVALID_REQUEST;</li>
     *   <li>otherwise NONE with one entry per served API.</li>
     * </ul>
     */
    public ApiVersionsResponseData apiVersionsResponse(short requestVersion, ApiVersionsRequestData request) {
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        if (!entries.get(ApiKeys.API_VERSIONS).versions().contains(requestVersion)) {
            return response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setApiKeys(apiKeys());
        }
        if (requestVersion >= 3 && !(isValidSoftwareToken(request.clientSoftwareName())
            && isValidSoftwareToken(request.clientSoftwareVersion()))) {
            return response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        return response.setErrorCode(Errors.NONE.code()).setApiKeys(apiKeys());
    }

    private CompletableFuture<Response> handleApiVersions(KafkaRequest request) {
        ApiVersionsRequest body = (ApiVersionsRequest) request.body();
        return CompletableFuture.completedFuture(
            new Response.Send(apiVersionsResponse(request.apiVersion(), body.data())));
    }

    private ApiVersionCollection apiKeys() {
        ApiVersionCollection collection = new ApiVersionCollection(entries.size());
        entries.forEach((key, entry) -> collection.add(new ApiVersion()
            .setApiKey(key.id)
            .setMinVersion(entry.versions().min())
            .setMaxVersion(entry.versions().max())));
        return collection;
    }

    private static boolean isValidSoftwareToken(String value) {
        return value != null && SOFTWARE_NAME_OR_VERSION.matcher(value).matches();
    }

    private static VersionRange stableRange(ApiKeys key) {
        return new VersionRange(key.oldestVersion(), key.latestVersion(false));
    }
}
