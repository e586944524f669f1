package io.herald.protocol.security;

import io.herald.protocol.KafkaRequest;
import io.herald.protocol.security.SaslMechanism.AuthenticationFailure;
import io.herald.protocol.security.SaslMechanism.SaslExchange;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL state of one connection on a {@code SASL_*} listener, as Kafka's broker keeps it: until the client has
 * authenticated, only ApiVersions, SaslHandshake (v1; v0's raw tokens are not served) and SaslAuthenticate are
 * served; anything else closes the
 * connection. A failed authentication is answered with {@code SASL_AUTHENTICATION_FAILED} and then the connection
 * closes. With {@code connections.max.reauth.ms}, or a credential that expires (an OAUTHBEARER token), the session
 * lasts that long, the shorter of the two when both (told to the client in {@code session_lifetime_ms}): the client re-authenticates on the same connection with a new SaslHandshake (same
 * mechanism, same principal, KIP-368), and a request after expiry closes the connection instead.
 *
 * <p>Event-loop confined (its connection's); the dispatcher asks it about every request before dispatching it.
 */
public final class SaslAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(SaslAuthenticator.class);

    /** What to do with a request. */
    public sealed interface Admission {
        /** Dispatch it as usual. */
        record Pass() implements Admission {
        }

        /** Answer it with {@code data}; then close the connection if {@code thenClose}. */
        record Answer(ApiMessage data, boolean thenClose) implements Admission {
        }

        /** Close the connection without an answer, logging {@code reason}. */
        record Refuse(String reason) implements Admission {
        }
    }

    private static final Admission PASS = new Admission.Pass();

    private enum State { HANDSHAKE_OR_VERSIONS, AUTHENTICATE, AUTHENTICATED, REAUTHENTICATE, FAILED }

    private final SaslSettings settings;
    private State state = State.HANDSHAKE_OR_VERSIONS;
    private SaslMechanism mechanism;
    private SaslExchange exchange;
    private KafkaPrincipal principal;
    /** When the current session ends, on the dispatcher's nano clock; only with a session lifetime. */
    private long sessionEndNanos;
    /** The current session's lifetime; -1 when it does not expire. */
    private long sessionLifetimeMs = -1;

    public SaslAuthenticator(SaslSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Whether the client has authenticated (the full {@code socket.request.max.bytes} applies from then on). */
    public boolean authenticated() {
        return principal != null;
    }

    /** The authenticated principal, once there is one. */
    public Optional<KafkaPrincipal> principal() {
        return Optional.ofNullable(principal);
    }

    /** The largest frame the client may send now. */
    public int maxFrameBytes(int maxRequestBytes) {
        return fullFrames() ? maxRequestBytes : Math.min(maxRequestBytes, settings.maxReceiveSize());
    }

    /** The config that sets {@link #maxFrameBytes} now, for the log line of a connection closed over it. */
    public String frameLimitSetting() {
        return fullFrames() ? "socket.request.max.bytes"
                : "sasl.server.max.receive.size, as the client has not authenticated";
    }

    private boolean fullFrames() {
        return authenticated() && state != State.REAUTHENTICATE;
    }

    /** Decides about {@code request}, received at {@code nowNanos} on the dispatcher's clock. */
    public Admission admit(KafkaRequest request, long nowNanos) {
        ApiKeys api = request.apiKey();
        return switch (state) {
            case HANDSHAKE_OR_VERSIONS -> switch (api) {
                case API_VERSIONS -> PASS;
                case SASL_HANDSHAKE -> request.apiVersion() >= 1
                        ? handshake((SaslHandshakeRequest) request.body(), false)
                        : refuse("SaslHandshake v0 (raw SASL tokens without SaslAuthenticate, before Kafka 1.0) "
                                + "is not supported");
                default -> refuse("unexpected " + api + " request during the SASL handshake");
            };
            case AUTHENTICATE, REAUTHENTICATE -> api == ApiKeys.SASL_AUTHENTICATE
                    ? authenticate(request, nowNanos)
                    : refuse("unexpected " + api + " request during SASL authentication");
            case AUTHENTICATED -> {
                if (api == ApiKeys.SASL_HANDSHAKE) {
                    yield request.apiVersion() >= 1 ? handshake((SaslHandshakeRequest) request.body(), true)
                            : refuse("re-authentication needs SaslHandshake v1 or later");
                }
                if (sessionLifetimeMs >= 0 && nowNanos - sessionEndNanos >= 0) {
                    yield refuse("the SASL session of " + principal + " expired after " + sessionLifetimeMs
                            + " ms (connections.max.reauth.ms=" + settings.reauthMs() + ", or the credential's "
                            + "lifetime) and the client did not re-authenticate");
                }
                yield PASS;
            }
            case FAILED -> refuse("request after a failed authentication");
        };
    }

    private Admission handshake(SaslHandshakeRequest request, boolean reauthentication) {
        String name = request.data().mechanism();
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(settings.names());
        Optional<SaslMechanism> chosen = settings.mechanism(name);
        if (chosen.isEmpty() || (reauthentication && !chosen.get().name().equals(mechanism.name()))) {
            state = State.FAILED;
            log.info("Client asked for SASL mechanism {}{}; enabled: {}", name,
                    reauthentication ? " to re-authenticate (it used " + mechanism.name() + ")" : "",
                    settings.names());
            return new Admission.Answer(response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()), true);
        }
        mechanism = chosen.get();
        exchange = mechanism.start();
        state = reauthentication ? State.REAUTHENTICATE : State.AUTHENTICATE;
        return new Admission.Answer(response.setErrorCode(Errors.NONE.code()), false);
    }

    private Admission authenticate(KafkaRequest request, long nowNanos) {
        SaslAuthenticateRequestData data = ((SaslAuthenticateRequest) request.body()).data();
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
        byte[] answer;
        try {
            answer = exchange.evaluate(data.authBytes());
        } catch (AuthenticationFailure e) {
            return fail(request, response, e.getMessage());
        }
        response.setErrorCode(Errors.NONE.code()).setAuthBytes(answer);
        if (!exchange.isComplete()) {
            return new Admission.Answer(response, false);
        }
        KafkaPrincipal authenticatedAs = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, exchange.authorizationId());
        if (state == State.REAUTHENTICATE && !authenticatedAs.equals(principal)) {
            return fail(request, response, "Cannot change principals during re-authentication from " + principal
                    + ": " + authenticatedAs);
        }
        principal = authenticatedAs;
        state = State.AUTHENTICATED;
        sessionLifetimeMs = sessionLifetimeMs(settings.reauthMs(), exchange.credentialLifetimeMs());
        if (sessionLifetimeMs >= 0) {
            sessionEndNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(sessionLifetimeMs);
            response.setSessionLifetimeMs(sessionLifetimeMs);
        }
        exchange = null;
        log.debug("{} authenticated from {} with {}", principal, request.clientAddress(), mechanism.name());
        return new Admission.Answer(response, false);
    }

    /**
     * Kafka's session lifetime (SaslServerAuthenticator): {@code connections.max.reauth.ms} when set, the
     * credential's remaining lifetime when it has one, the smaller of the two when both; -1 when neither (the
     * session never expires).
     */
    static long sessionLifetimeMs(long reauthMs, java.util.OptionalLong credentialLifetimeMs) {
        if (credentialLifetimeMs.isEmpty()) {
            return reauthMs > 0 ? reauthMs : -1;
        }
        long credential = Math.max(0, credentialLifetimeMs.getAsLong());
        return reauthMs > 0 ? Math.min(reauthMs, credential) : credential;
    }

    private Admission fail(KafkaRequest request, SaslAuthenticateResponseData response, String message) {
        state = State.FAILED;
        exchange = null;
        log.info("Failed authentication with {} ({})", request.clientAddress(), message);
        return new Admission.Answer(response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                .setErrorMessage(message).setAuthBytes(new byte[0]), true);
    }

    private Admission refuse(String reason) {
        state = State.FAILED;
        return new Admission.Refuse(reason);
    }

    /** The SaslHandshake / SaslAuthenticate answer of a listener without SASL, as Kafka gives it. */
    public static ApiMessage illegalState(ApiKeys api) {
        return switch (api) {
            case SASL_HANDSHAKE -> new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
            case SASL_AUTHENTICATE -> new SaslAuthenticateResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("SaslAuthenticate request received after successful authentication")
                    .setAuthBytes(new byte[0]);
            default -> throw new IllegalArgumentException(api + " is not a SASL API");
        };
    }
}
