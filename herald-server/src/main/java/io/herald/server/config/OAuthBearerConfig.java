package io.herald.server.config;

import io.herald.common.config.ConfigValues;
import io.herald.protocol.security.oauthbearer.JwksSource;
import io.herald.protocol.security.oauthbearer.JwksValidator;
import io.herald.protocol.security.oauthbearer.TokenValidator;
import io.herald.protocol.security.oauthbearer.UnsecuredJwtValidator;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a listener validates OAUTHBEARER tokens, by Kafka's names. With
 * {@code listener.name.<l>.oauthbearer.sasl.server.callback.handler.class} naming Kafka's
 * {@code OAuthBearerValidatorCallbackHandler}, tokens must be signed by a key of
 * {@code sasl.oauthbearer.jwks.endpoint.url} and pass the {@code sasl.oauthbearer.expected.*},
 * {@code sasl.oauthbearer.sub.claim.name} and {@code sasl.oauthbearer.clock.skew.seconds} checks
 * ({@link JwksValidator}). Without it, as in Kafka, the listener accepts unsigned tokens
 * ({@link UnsecuredJwtValidator}, with the {@code unsecuredValidator*} options of
 * {@code listener.name.<l>.oauthbearer.sasl.jaas.config}), which anyone can mint: a warning says so at start.
 *
 * <p>Each {@code sasl.oauthbearer.*} setting may be given as {@code listener.name.<l>.oauthbearer.<setting>} or
 * {@code listener.name.<l>.<setting>}, which win in that order.
 */
final class OAuthBearerConfig {
    private static final Logger log = LoggerFactory.getLogger(OAuthBearerConfig.class);
    static final String SERVER_CALLBACK_HANDLER_CLASS = "sasl.server.callback.handler.class";
    /** Kafka's validator of signed tokens. */
    static final String KAFKA_JWKS_HANDLER =
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";
    /** {@link #KAFKA_JWKS_HANDLER} under its current and its older (deprecated) package. */
    static final Set<String> JWKS_HANDLERS = Set.of(KAFKA_JWKS_HANDLER,
            "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler");

    static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, Type.STRING, null, Importance.MEDIUM,
                    "Where the keys that sign OAUTHBEARER tokens are: a file: or http(s): URL of a JWKS document.")
            .define(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS, Type.LONG,
                    SaslConfigs.DEFAULT_SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS, ConfigDef.Range.atLeast(1),
                    Importance.LOW, "How often the JWKS is read again.")
            .define(SaslConfigs.SASL_OAUTHBEARER_EXPECTED_AUDIENCE, Type.LIST, "", Importance.LOW,
                    "A token's aud must name one of these; empty: not checked.")
            .define(SaslConfigs.SASL_OAUTHBEARER_EXPECTED_ISSUER, Type.STRING, null, Importance.LOW,
                    "A token's iss must be this; unset: not checked.")
            .define(SaslConfigs.SASL_OAUTHBEARER_SUB_CLAIM_NAME, Type.STRING,
                    SaslConfigs.DEFAULT_SASL_OAUTHBEARER_SUB_CLAIM_NAME, Importance.LOW,
                    "The claim that names the principal.")
            .define(SaslConfigs.SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS, Type.INT,
                    SaslConfigs.DEFAULT_SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS, ConfigDef.Range.atLeast(0),
                    Importance.LOW, "Tolerated difference between the broker's and the token issuer's clocks.");

    private OAuthBearerConfig() {
    }

    /**
     * The validator of listener {@code listener}'s OAUTHBEARER tokens.
     *
     * @param jaasOptions the options of its {@code oauthbearer.sasl.jaas.config} (empty without one)
     * @throws ConfigException naming the setting that is wrong
     */
    static TokenValidator validator(ConfigValues values, String listener, Map<String, String> jaasOptions) {
        String prefix = SecurityConfig.LISTENER_PREFIX + listener.toLowerCase(Locale.ROOT) + ".";
        String handlerName = prefix + "oauthbearer." + SERVER_CALLBACK_HANDLER_CLASS;
        Optional<String> handler = Optional.ofNullable(values.originals().get(handlerName)).map(String::trim)
                .filter(h -> !h.isEmpty());
        if (handler.isEmpty()) {
            log.warn("Listener {} accepts unsigned OAUTHBEARER tokens (Kafka's default validator), which anyone can "
                    + "make: set {} to {} and sasl.oauthbearer.jwks.endpoint.url for signed ones", listener,
                    handlerName, KAFKA_JWKS_HANDLER);
            try {
                return UnsecuredJwtValidator.fromOptions(jaasOptions);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(prefix + "oauthbearer." + SecurityConfig.SASL_JAAS_CONFIG, "(hidden)",
                        e.getMessage());
            }
        }
        if (!JWKS_HANDLERS.contains(handler.get())) {
            throw new ConfigException(handlerName, handler.get(), "Herald loads no callback handler classes; it "
                    + "validates signed tokens as " + KAFKA_JWKS_HANDLER + " does (name that class), "
                    + "or unsigned ones when this is unset");
        }
        String url = setting(values, prefix, SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL)
                .map(String.class::cast).orElseThrow(() -> new ConfigException(
                        SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, null, "listener " + listener + " validates "
                                + "signed OAUTHBEARER tokens and needs the keys that sign them"));
        long refreshMs = (Long) setting(values, prefix, SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS)
                .orElseThrow();
        JwksSource keys;
        try {
            keys = JwksSource.open(URI.create(url), refreshMs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, url, e.getMessage());
        }
        @SuppressWarnings("unchecked")
        List<String> audiences = (List<String>) setting(values, prefix, SaslConfigs.SASL_OAUTHBEARER_EXPECTED_AUDIENCE)
                .orElse(List.of());
        return new JwksValidator(keys,
                (String) setting(values, prefix, SaslConfigs.SASL_OAUTHBEARER_SUB_CLAIM_NAME).orElseThrow(),
                audiences.stream().map(String::trim).filter(a -> !a.isEmpty()).toList(),
                setting(values, prefix, SaslConfigs.SASL_OAUTHBEARER_EXPECTED_ISSUER).map(String.class::cast),
                (Integer) setting(values, prefix, SaslConfigs.SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS).orElseThrow());
    }

    /** The mechanism-prefixed value, else the listener-prefixed one, else the node's, parsed by its definition. */
    private static Optional<Object> setting(ConfigValues values, String prefix, String name) {
        for (String key : List.of(prefix + "oauthbearer." + name, prefix + name)) {
            String raw = values.originals().get(key);
            if (raw != null) {
                ConfigDef.ConfigKey definition = CONFIG_DEF.configKeys().get(name);
                Object parsed = ConfigDef.parseType(key, raw, definition.type);
                if (definition.validator != null) {
                    definition.validator.ensureValid(key, parsed);
                }
                return Optional.ofNullable(parsed);
            }
        }
        return Optional.ofNullable(values.parsed().get(name));
    }
}
