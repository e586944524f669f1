package io.herald.protocol;

import io.herald.protocol.security.SaslAuthenticator;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The APIs this broker serves, with their version ranges and handlers: the source of truth for
 * the ApiVersions response and for which requests are accepted at all.
 *
 * <p>Every range is declared: each handler states the versions it implements ({@link ServedApi}), and
 * ApiVersions, SaslHandshake and SaslAuthenticate, registered at construction and answered by the protocol
 * layer, state their own. Nothing is derived from kafka-clients, whose {@code ApiKeys} say what the library
 * can parse, not what a handler implements: deriving ranges from it made every kafka-clients upgrade silently
 * advertise versions no handler had been written for. kafka-clients only bounds the declarations, since a version it cannot
 * parse cannot be served.
 *
 * <p>Thread-safety: {@code register} is for the single thread that wires the broker. Once the
 * registry is handed to a started {@link KafkaServer} it is {@linkplain #freeze() frozen}: further
 * registration fails, and the event loops read it without locks (the freeze happens before the
 * server's threads start, which publishes the map to them).
 */
public final class ApiRegistry {
    private static final Logger log = LoggerFactory.getLogger(ApiRegistry.class);

    /**
     * ApiVersions v0 to v4: v3 adds the client software name and version, validated below (KIP-511), and the
     * features (KIP-584); v4 only changes how SupportedFeatures may be encoded (KAFKA-17011).
     */
    static final VersionRange API_VERSIONS_RANGE = VersionRange.of(0, 4);

    /** Kafka's ApiVersionsRequest.isValid(): client_software_name/version syntax (KIP-511). */
    private static final Pattern SOFTWARE_NAME_OR_VERSION = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    private record Entry(VersionRange versions, ApiHandler handler) {
    }

    private final Map<ApiKeys, Entry> entries = new EnumMap<>(ApiKeys.class);
    private volatile boolean frozen;
    private volatile Supplier<FeatureSet> features = () -> FeatureSet.NONE;
    private volatile RequestThrottle throttle = RequestThrottle.NONE;
    private volatile IpConnectionQuota ipConnectionQuota = IpConnectionQuota.NONE;
    private final List<Consumer<InetSocketAddress>> closeListeners = new CopyOnWriteArrayList<>();

    /**
     * SaslHandshake v0 to v1 and SaslAuthenticate v0 to v2 (v1 adds the session lifetime of KIP-368). v0 of the
     * handshake is advertised because librdkafka requires it before it uses SASL at all, as Kafka does; a client
     * that then sends raw SASL tokens (the pre-KIP-152 flow) instead of SaslAuthenticate requests is disconnected.
     */
    static final VersionRange SASL_HANDSHAKE_RANGE = VersionRange.of(0, 1);
    static final VersionRange SASL_AUTHENTICATE_RANGE = VersionRange.of(0, 2);

    public ApiRegistry() {
        entries.put(ApiKeys.API_VERSIONS,
            new Entry(requireParsable(ApiKeys.API_VERSIONS, API_VERSIONS_RANGE), this::handleApiVersions));
        // A SASL listener's connections answer these before dispatch (SaslAuthenticator); a request that reaches
        // the registry came over a listener without SASL, or after authentication, and Kafka refuses it so.
        entries.put(ApiKeys.SASL_HANDSHAKE, new Entry(requireParsable(ApiKeys.SASL_HANDSHAKE, SASL_HANDSHAKE_RANGE),
            request -> CompletableFuture.completedFuture(new Response.Send(
                SaslAuthenticator.illegalState(ApiKeys.SASL_HANDSHAKE)))));
        entries.put(ApiKeys.SASL_AUTHENTICATE, new Entry(requireParsable(ApiKeys.SASL_AUTHENTICATE,
            SASL_AUTHENTICATE_RANGE), request -> CompletableFuture.completedFuture(new Response.Send(
                SaslAuthenticator.illegalState(ApiKeys.SASL_AUTHENTICATE)))));
    }

    /**
     * Serves {@code api.key()} for exactly the versions its handler declares.
     *
     * @throws IllegalArgumentException if kafka-clients cannot parse every declared version (the range must lie
     *                                  within {@code key.oldestVersion()..key.latestVersion()}), or for
     *                                  ApiVersions (built in)
     * @throws IllegalStateException    if the registry is frozen or the key is already registered
     */
    public ApiRegistry register(ServedApi api) {
        Objects.requireNonNull(api, "api");
        if (frozen) {
            throw new IllegalStateException("registry is frozen: the server has started");
        }
        if (api.key() == ApiKeys.API_VERSIONS || api.key() == ApiKeys.SASL_HANDSHAKE
            || api.key() == ApiKeys.SASL_AUTHENTICATE) {
            throw new IllegalArgumentException(api.key() + " is answered by the protocol layer");
        }
        if (entries.containsKey(api.key())) {
            throw new IllegalStateException(api.key() + " is already registered");
        }
        entries.put(api.key(), new Entry(requireParsable(api.key(), api.versions()), api.handler()));
        return this;
    }

    /** {@code versions}, if kafka-clients can parse every one of them for {@code key}. */
    private static VersionRange requireParsable(ApiKeys key, VersionRange versions) {
        if (versions.min() < key.oldestVersion() || versions.max() > key.latestVersion()) {
            throw failUnparsable(key, versions);
        }
        return versions;
    }

    private static IllegalArgumentException failUnparsable(ApiKeys key, VersionRange versions) {
        if (key.latestVersion() < key.oldestVersion()) {
            return new IllegalArgumentException(key + " declares versions " + versions
                + ", but kafka-clients parses no version of " + key);
        }
        return new IllegalArgumentException(key + " declares versions " + versions
            + ", but kafka-clients cannot parse them all (expected within: " + key.oldestVersion() + ".."
            + key.latestVersion() + ")");
    }

    /**
     * Calls {@code listener} with a client's address (as {@link KafkaRequest#clientAddress()} gave it) once its
     * connection has closed, on that connection's event loop: state tied to a connection (share sessions) ends
     * there. A listener must not block; one that throws is logged and the others still run.
     */
    public ApiRegistry onConnectionClosed(Consumer<InetSocketAddress> listener) {
        closeListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Tells the connection-closed listeners that {@code clientAddress}'s connection closed. */
    public void connectionClosed(InetSocketAddress clientAddress) {
        for (Consumer<InetSocketAddress> listener : closeListeners) {
            try {
                listener.accept(clientAddress);
            } catch (RuntimeException e) {
                log.warn("A connection-closed listener failed for {}: {}", clientAddress, e.toString());
            }
        }
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

    /**
     * Reports the features {@code features} supplies in ApiVersions v3+, asked once per ApiVersions request (on
     * the event loop: it must be cheap) so that changed finalized levels are reported at once.
     *
     * @throws IllegalStateException if the registry is frozen
     */
    public ApiRegistry features(Supplier<FeatureSet> features) {
        if (frozen) {
            throw new IllegalStateException("registry is frozen: the server has started");
        }
        this.features = Objects.requireNonNull(features, "features");
        return this;
    }

    /**
     * Throttles every connection's requests by {@code throttle} (client quotas); {@link RequestThrottle#NONE}
     * until set.
     *
     * @throws IllegalStateException if the registry is frozen
     */
    public ApiRegistry throttle(RequestThrottle throttle) {
        if (frozen) {
            throw new IllegalStateException("registry is frozen: the server has started");
        }
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        return this;
    }

    /** The throttle of every connection's requests. */
    public RequestThrottle throttle() {
        return throttle;
    }

    /**
     * Limits the rate at which each address opens connections ({@code connection_creation_rate} ip quotas);
     * {@link IpConnectionQuota#NONE} until set.
     *
     * @throws IllegalStateException if the registry is frozen
     */
    public ApiRegistry ipConnectionQuota(IpConnectionQuota quota) {
        if (frozen) {
            throw new IllegalStateException("registry is frozen: the server has started");
        }
        this.ipConnectionQuota = Objects.requireNonNull(quota, "quota");
        return this;
    }

    /** The connection creation quota of each address. */
    public IpConnectionQuota ipConnectionQuota() {
        return ipConnectionQuota;
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
        response.setErrorCode(Errors.NONE.code()).setApiKeys(apiKeys());
        if (requestVersion >= 3) {
            addFeatures(response, requestVersion);
        }
        return response;
    }

    /**
     * The features of v3+. Clients that speak only v3 fail on a supported feature whose minimum level is 0
     * (KAFKA-17011), so v3 answers leave those out, as Kafka does; v4 lists them all.
     */
    private void addFeatures(ApiVersionsResponseData response, short requestVersion) {
        FeatureSet set = features.get();
        ApiVersionsResponseData.SupportedFeatureKeyCollection supported =
                new ApiVersionsResponseData.SupportedFeatureKeyCollection();
        set.supported().forEach((name, range) -> {
            if (requestVersion >= 4 || range.min() > 0) {
                supported.add(new ApiVersionsResponseData.SupportedFeatureKey().setName(name)
                        .setMinVersion(range.min()).setMaxVersion(range.max()));
            }
        });
        ApiVersionsResponseData.FinalizedFeatureKeyCollection finalized =
                new ApiVersionsResponseData.FinalizedFeatureKeyCollection();
        set.finalized().forEach((name, level) -> finalized.add(new ApiVersionsResponseData.FinalizedFeatureKey()
                .setName(name).setMinVersionLevel(level).setMaxVersionLevel(level)));
        response.setSupportedFeatures(supported).setFinalizedFeatures(finalized)
                .setFinalizedFeaturesEpoch(set.finalizedEpoch());
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
}
