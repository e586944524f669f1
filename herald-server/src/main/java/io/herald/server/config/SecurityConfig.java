package io.herald.server.config;

import io.herald.common.config.ConfigValues;
import io.herald.common.security.ScramAlgorithm;
import io.herald.protocol.security.ListenerSecurity;
import io.herald.protocol.security.PlainMechanism;
import io.herald.protocol.security.SaslMechanism;
import io.herald.protocol.security.SaslSettings;
import io.herald.protocol.security.ScramCredentialStore;
import io.herald.protocol.security.ScramMechanism;
import io.herald.protocol.security.SslPrincipalMapper;
import io.herald.protocol.security.TlsContexts;
import io.herald.protocol.security.TlsSettings;
import io.herald.protocol.security.oauthbearer.OAuthBearerMechanism;
import io.herald.protocol.security.oauthbearer.TokenValidator;
import io.herald.common.time.Time;
import io.herald.broker.network.InterBrokerSecurity;
import io.herald.http.HttpConfig;
import io.herald.http.rest.LocalClients;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The security of a node's Kafka listeners, by Kafka's names: {@code ssl.*} for TLS, {@code sasl.enabled.mechanisms},
 * {@code sasl.server.max.receive.size}, {@code connections.max.reauth.ms} and the JAAS configs of SASL. As in Kafka,
 * every one of them may be given for one listener with the prefix {@code listener.name.<listener, lower case>.}, which
 * wins over the unprefixed value; a mechanism's JAAS config is
 * {@code listener.name.<listener>.<mechanism, lower case>.sasl.jaas.config}.
 *
 * <p>TLS contexts are built when the config is parsed, so a missing key store or a wrong password stops the node
 * with one line naming the listener and the setting.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecurityConfig {
    public static final String SSL_KEYSTORE_TYPE = "ssl.keystore.type";
    public static final String SSL_KEYSTORE_LOCATION = "ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "ssl.keystore.password";
    public static final String SSL_KEY_PASSWORD = "ssl.key.password";
    public static final String SSL_KEYSTORE_CERTIFICATE_CHAIN = "ssl.keystore.certificate.chain";
    public static final String SSL_KEYSTORE_KEY = "ssl.keystore.key";
    public static final String SSL_TRUSTSTORE_TYPE = "ssl.truststore.type";
    public static final String SSL_TRUSTSTORE_LOCATION = "ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_CERTIFICATES = "ssl.truststore.certificates";
    public static final String SSL_CLIENT_AUTH = "ssl.client.auth";
    public static final String SSL_ENABLED_PROTOCOLS = "ssl.enabled.protocols";
    public static final String SSL_CIPHER_SUITES = "ssl.cipher.suites";
    public static final String SSL_PROTOCOL = "ssl.protocol";
    public static final String SSL_PRINCIPAL_MAPPING_RULES = "ssl.principal.mapping.rules";
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM = "ssl.endpoint.identification.algorithm";
    public static final String SSL_PROVIDER = "herald.ssl.provider";
    public static final String SASL_ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String SASL_MECHANISM_INTER_BROKER_PROTOCOL = "sasl.mechanism.inter.broker.protocol";
    public static final String SASL_SERVER_MAX_RECEIVE_SIZE = "sasl.server.max.receive.size";
    public static final String CONNECTIONS_MAX_REAUTH_MS = "connections.max.reauth.ms";
    public static final String SASL_JAAS_CONFIG = "sasl.jaas.config";
    /** Kafka's prefix of per-listener configs. */
    public static final String LISTENER_PREFIX = "listener.name.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(SSL_KEYSTORE_TYPE, Type.STRING, "JKS", Importance.MEDIUM, "JKS, PKCS12 or PEM.")
            .define(SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.HIGH, "The key store file.")
            .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.HIGH, "The key store's password.")
            .define(SSL_KEY_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
                    "The private key's password; default: the key store's.")
            .define(SSL_KEYSTORE_CERTIFICATE_CHAIN, Type.PASSWORD, null, Importance.HIGH,
                    "The certificate chain as PEM text (with ssl.keystore.type=PEM).")
            .define(SSL_KEYSTORE_KEY, Type.PASSWORD, null, Importance.HIGH,
                    "The private key as PEM text (with ssl.keystore.type=PEM).")
            .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.MEDIUM, "JKS, PKCS12 or PEM.")
            .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.HIGH,
                    "The trust store file, for client certificates; default: the JDK's trusted CAs.")
            .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.HIGH, "The trust store's password.")
            .define(SSL_TRUSTSTORE_CERTIFICATES, Type.PASSWORD, null, Importance.HIGH,
                    "Trusted certificates as PEM text (with ssl.truststore.type=PEM).")
            .define(SSL_CLIENT_AUTH, Type.STRING, "none", Importance.MEDIUM,
                    "Client certificates: required, requested or none.")
            .define(SSL_ENABLED_PROTOCOLS, Type.LIST, "TLSv1.2,TLSv1.3", Importance.MEDIUM, "TLS versions served.")
            .define(SSL_CIPHER_SUITES, Type.LIST, "", Importance.LOW, "Cipher suites; empty: the provider's.")
            .define(SSL_PROTOCOL, Type.STRING, "TLSv1.3", Importance.LOW, "The TLS protocol family.")
            .define(SSL_PRINCIPAL_MAPPING_RULES, Type.STRING, "DEFAULT", Importance.LOW,
                    "Rules mapping a client certificate's subject to a user name.")
            .define(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, Type.STRING, "https", Importance.LOW,
                    "Host name verification of the broker's own client connections.")
            .define(SSL_PROVIDER, Type.STRING, "jdk", Importance.LOW, "TLS engine: jdk or openssl (netty-tcnative).")
            .define(SASL_ENABLED_MECHANISMS, Type.LIST, "GSSAPI", Importance.MEDIUM,
                    "SASL mechanisms served; Herald serves PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER.")
            .define(SASL_MECHANISM_INTER_BROKER_PROTOCOL, Type.STRING, "GSSAPI", Importance.MEDIUM,
                    "SASL mechanism of inter-broker connections.")
            .define(SASL_SERVER_MAX_RECEIVE_SIZE, Type.INT, SaslSettings.DEFAULT_MAX_RECEIVE_SIZE,
                    ConfigDef.Range.atLeast(1), Importance.LOW, "Largest frame accepted before authentication.")
            .define(CONNECTIONS_MAX_REAUTH_MS, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "SASL session lifetime; the client re-authenticates or is disconnected. 0: no limit.");

    /** The parts of a listener's security that do not depend on the running broker. */
    private record Prepared(SecurityProtocol protocol, Optional<SslContext> tls, SslPrincipalMapper principals,
                            List<String> mechanisms, Map<String, String> plainUsers,
                            Optional<TokenValidator> oauthBearer, int maxReceiveSize, long reauthMs) {
    }

    private final Map<String, Prepared> listeners;
    private final InterBrokerSecurity interBroker;

    private SecurityConfig(Map<String, Prepared> listeners, InterBrokerSecurity interBroker) {
        this.listeners = Map.copyOf(listeners);
        this.interBroker = interBroker;
    }

    /**
     * The security of every listener in {@code protocols} (listener name to its security protocol).
     *
     * @throws ConfigException naming the listener and the setting that is wrong
     */
    static SecurityConfig from(ConfigValues values, Map<String, SecurityProtocol> protocols,
                               Optional<String> interBrokerListener) {
        Map<String, Prepared> prepared = new LinkedHashMap<>();
        protocols.forEach((name, protocol) -> prepared.put(name, prepare(new Values(values, name), protocol)));
        InterBrokerSecurity interBroker = interBrokerListener.filter(protocols::containsKey)
                .map(name -> interBroker(new Values(values, name), protocols.get(name), prepared.get(name)))
                .orElse(InterBrokerSecurity.PLAINTEXT);
        return new SecurityConfig(prepared, interBroker);
    }

    /**
     * Where the REST API and the console connect, and how: their own broker's listener for local clients.
     *
     * @param listener the client listener they use
     * @param security the Kafka client configs for it and, with HTTP Basic, the mechanism users log in with
     */
    public record HttpClients(String listener, LocalClients.Security security) {
    }

    /** The mechanisms HTTP users log in with, in the order of preference when none is configured. */
    private static final List<String> HTTP_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256",
            PlainMechanism.NAME);

    /**
     * The REST API's and console's Kafka clients: without authentication, anonymous clients of the first PLAINTEXT
     * listener (else the first client listener); with {@code herald.http.authentication=basic}, clients per HTTP user
     * logging in to the first SASL_PLAINTEXT (else SASL_SSL) listener, so the broker checks the user's password and
     * ACLs. On SASL_SSL they trust the listener's trust store and skip host name checks (they reach their own
     * broker).
     *
     * @throws ConfigException when basic authentication has no SASL listener or mechanism to use
     */
    HttpClients httpClients(ConfigValues values, List<String> clientListeners, HttpConfig http) {
        if (!http.basicAuth()) {
            String listener = clientListeners.stream()
                    .filter(name -> listeners.get(name).protocol() == SecurityProtocol.PLAINTEXT).findFirst()
                    .orElse(clientListeners.getFirst());
            return new HttpClients(listener, LocalClients.Security.PLAINTEXT);
        }
        String listener = clientListeners.stream()
                .filter(name -> listeners.get(name).protocol() == SecurityProtocol.SASL_PLAINTEXT).findFirst()
                .or(() -> clientListeners.stream()
                        .filter(name -> listeners.get(name).protocol() == SecurityProtocol.SASL_SSL).findFirst())
                .orElseThrow(() -> new ConfigException(HttpConfig.AUTHENTICATION, "basic", "HTTP users log in to "
                        + "a SASL listener of the broker, which checks their passwords; this node has none"));
        Prepared sasl = listeners.get(listener);
        String mechanism = http.saslMechanism().orElseGet(() -> HTTP_MECHANISMS.stream()
                .filter(sasl.mechanisms()::contains).findFirst().orElse(sasl.mechanisms().getFirst()));
        if (!sasl.mechanisms().contains(mechanism)) {
            throw new ConfigException(HttpConfig.SASL_MECHANISM, mechanism, "listener " + listener + " enables "
                    + sasl.mechanisms());
        }
        if (!HTTP_MECHANISMS.contains(mechanism)) {
            throw new ConfigException(HttpConfig.SASL_MECHANISM, mechanism, "HTTP Basic users log in with a "
                    + "password: one of " + HTTP_MECHANISMS + " on listener " + listener);
        }
        Map<String, Object> configs = new LinkedHashMap<>();
        configs.put("security.protocol", sasl.protocol().name);
        if (sasl.protocol() == SecurityProtocol.SASL_SSL) {
            Values v = new Values(values, listener);
            v.string(SSL_TRUSTSTORE_TYPE).ifPresent(t -> configs.put(SSL_TRUSTSTORE_TYPE, t));
            v.string(SSL_TRUSTSTORE_LOCATION).ifPresent(t -> configs.put(SSL_TRUSTSTORE_LOCATION, t));
            v.string(SSL_TRUSTSTORE_PASSWORD).ifPresent(t -> configs.put(SSL_TRUSTSTORE_PASSWORD, t));
            v.string(SSL_TRUSTSTORE_CERTIFICATES).ifPresent(t -> configs.put(SSL_TRUSTSTORE_CERTIFICATES, t));
            configs.put(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, "");
        }
        return new HttpClients(listener, new LocalClients.Security(configs, Optional.of(mechanism)));
    }

    /** The TLS context of an {@code https://} HTTP listener: {@code listener.name.http.ssl.*}, else {@code ssl.*}. */
    static SslContext httpTls(ConfigValues values) {
        return tlsContext(new Values(values, "HTTP"));
    }

    /** How this broker connects to the others: as a client of their inter-broker listener. */
    public InterBrokerSecurity interBroker() {
        return interBroker;
    }

    /**
     * The client side of the inter-broker listener: its trust (and key) store for TLS, and for SASL the mechanism
     * of {@code sasl.mechanism.inter.broker.protocol} with the {@code username}/{@code password} of its JAAS config.
     */
    private static InterBrokerSecurity interBroker(Values v, SecurityProtocol protocol, Prepared listener) {
        Optional<SSLContext> tls = Optional.empty();
        if (listener.tls().isPresent()) {
            try {
                tls = Optional.of(TlsContexts.client(tlsSettings(v)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("inter-broker listener " + v.listener + ": " + e.getMessage());
            }
        }
        boolean verifyHostname = v.string(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM).map(a -> a.equalsIgnoreCase("https"))
                .orElse(false);
        Optional<InterBrokerSecurity.Credentials> sasl = Optional.empty();
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            String mechanism = v.string(SASL_MECHANISM_INTER_BROKER_PROTOCOL).orElse("GSSAPI").toUpperCase(Locale.ROOT);
            if (mechanism.equals(OAuthBearerMechanism.NAME)) {
                throw new ConfigException(SASL_MECHANISM_INTER_BROKER_PROTOCOL, mechanism, "Herald's brokers "
                        + "authenticate to each other with PLAIN or SCRAM (a username and password), not with tokens");
            }
            if (!listener.mechanisms().contains(mechanism)) {
                throw new ConfigException(SASL_MECHANISM_INTER_BROKER_PROTOCOL, mechanism, "the inter-broker "
                        + "listener " + v.listener + " enables " + listener.mechanisms() + " (" + SASL_ENABLED_MECHANISMS
                        + "), and brokers authenticate to each other with this mechanism");
            }
            String name = v.listenerPrefix() + mechanism.toLowerCase(Locale.ROOT) + "." + SASL_JAAS_CONFIG;
            String jaas = v.values.originals().get(name);
            JaasConfig parsed;
            try {
                parsed = jaas == null ? null : JaasConfig.parse(jaas);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, "(hidden)", e.getMessage());
            }
            if (parsed == null || parsed.option("username").isEmpty() || parsed.option("password").isEmpty()) {
                throw new ConfigException(name, jaas == null ? null : "(hidden)", "brokers authenticate to the "
                        + "inter-broker listener with the username and password options of this JAAS config");
            }
            sasl = Optional.of(new InterBrokerSecurity.Credentials(mechanism, parsed.option("username").get(),
                    parsed.option("password").get()));
        }
        return new InterBrokerSecurity(tls, verifyHostname, sasl);
    }

    /** Whether {@code name} is a per-listener security config ({@code listener.name.<l>.<config>}). */
    static boolean isListenerConfig(String name) {
        return name.startsWith(LISTENER_PREFIX);
    }

    /**
     * The security of listener {@code name}; SCRAM mechanisms find their credentials in {@code scram}.
     *
     * @throws IllegalArgumentException for a listener not in the config
     */
    public ListenerSecurity listener(String name, ScramCredentialStore scram) {
        Prepared p = listeners.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no listener " + name + " (listeners: " + listeners.keySet() + ")");
        }
        Optional<SaslSettings> sasl = Optional.empty();
        if (p.protocol() == SecurityProtocol.SASL_PLAINTEXT || p.protocol() == SecurityProtocol.SASL_SSL) {
            List<SaslMechanism> mechanisms = new ArrayList<>();
            for (String mechanism : p.mechanisms()) {
                mechanisms.add(switch (mechanism) {
                    case PlainMechanism.NAME -> new PlainMechanism(p.plainUsers());
                    case OAuthBearerMechanism.NAME -> new OAuthBearerMechanism(p.oauthBearer().orElseThrow(),
                            Time.SYSTEM);
                    default -> new ScramMechanism(ScramAlgorithm.forMechanism(mechanism).orElseThrow(), scram);
                });
            }
            sasl = Optional.of(new SaslSettings(mechanisms, p.maxReceiveSize(), p.reauthMs()));
        }
        return new ListenerSecurity(p.protocol(), p.tls(), sasl, p.principals());
    }

    private static Prepared prepare(Values v, SecurityProtocol protocol) {
        boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
        boolean sasl = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        Optional<SslContext> context = tls ? Optional.of(tlsContext(v)) : Optional.empty();
        SslPrincipalMapper principals = principalMapper(v.values, v.listener);
        List<String> mechanisms = List.of();
        Map<String, String> plainUsers = Map.of();
        Optional<TokenValidator> oauthBearer = Optional.empty();
        if (sasl) {
            mechanisms = v.list(SASL_ENABLED_MECHANISMS).stream().map(m -> m.trim().toUpperCase(Locale.ROOT))
                    .filter(m -> !m.isEmpty()).distinct().toList();
            if (mechanisms.isEmpty()) {
                throw v.fail(SASL_ENABLED_MECHANISMS, "a " + protocol + " listener needs at least one mechanism");
            }
            for (String mechanism : mechanisms) {
                if (!mechanism.equals(PlainMechanism.NAME) && !mechanism.equals(OAuthBearerMechanism.NAME)
                        && ScramAlgorithm.forMechanism(mechanism).isEmpty()) {
                    throw v.fail(SASL_ENABLED_MECHANISMS, "mechanism " + mechanism + " is not supported (expected: "
                            + "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)");
                }
            }
            if (mechanisms.contains(PlainMechanism.NAME)) {
                plainUsers = plainUsers(v);
            }
            if (mechanisms.contains(OAuthBearerMechanism.NAME)) {
                oauthBearer = Optional.of(OAuthBearerConfig.validator(v.values, v.listener, oauthBearerOptions(v)));
            }
        }
        return new Prepared(protocol, context, principals, mechanisms, plainUsers, oauthBearer,
                v.integer(SASL_SERVER_MAX_RECEIVE_SIZE), v.longValue(CONNECTIONS_MAX_REAUTH_MS));
    }

    /** The options of the listener's {@code oauthbearer.sasl.jaas.config}; none without one. */
    private static Map<String, String> oauthBearerOptions(Values v) {
        String name = v.listenerPrefix() + "oauthbearer." + SASL_JAAS_CONFIG;
        String jaas = v.values.originals().get(name);
        try {
            return jaas == null ? Map.of() : JaasConfig.parse(jaas).options();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, "(hidden)", e.getMessage());
        }
    }

    private static Map<String, String> plainUsers(Values v) {
        String name = v.listenerPrefix() + "plain." + SASL_JAAS_CONFIG;
        String jaas = v.values.originals().get(name);
        if (jaas == null) {
            throw new ConfigException(name, null, "PLAIN on listener " + v.listener + " needs its users: "
                    + "org.apache.kafka.common.security.plain.PlainLoginModule required user_<name>=\"<password>\";");
        }
        Map<String, String> users;
        try {
            users = JaasConfig.parse(jaas).plainUsers();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, "(hidden)", e.getMessage());
        }
        if (users.isEmpty()) {
            throw new ConfigException(name, "(hidden)", "no user_<name>=\"<password>\" option: no user could log in");
        }
        return users;
    }

    private static SslContext tlsContext(Values v) {
        TlsSettings settings = tlsSettings(v);
        try {
            return TlsContexts.server(settings);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("listener " + v.listener + ": " + e.getMessage());
        }
    }

    /** The TLS settings of listener {@code listener}: its {@code listener.name.<l>.ssl.*} values, else the node's. */
    static TlsSettings tlsSettings(ConfigValues values, String listener) {
        return tlsSettings(new Values(values, listener));
    }

    /** One setting of listener {@code listener}: its prefixed value, else the node's; empty when blank. */
    static Optional<String> listenerString(ConfigValues values, String listener, String name) {
        return new Values(values, listener).string(name);
    }

    /** {@code ssl.principal.mapping.rules} of listener {@code listener}. */
    static SslPrincipalMapper principalMapper(ConfigValues values, String listener) {
        Values v = new Values(values, listener);
        try {
            return SslPrincipalMapper.parse(v.string(SSL_PRINCIPAL_MAPPING_RULES).orElse("DEFAULT"));
        } catch (IllegalArgumentException e) {
            throw v.fail(SSL_PRINCIPAL_MAPPING_RULES, e.getMessage());
        }
    }

    private static TlsSettings tlsSettings(Values v) {
        try {
            return new TlsSettings(v.string(SSL_KEYSTORE_TYPE).orElse("JKS"), v.string(SSL_KEYSTORE_LOCATION),
                    v.string(SSL_KEYSTORE_PASSWORD), v.string(SSL_KEY_PASSWORD),
                    v.string(SSL_KEYSTORE_CERTIFICATE_CHAIN), v.string(SSL_KEYSTORE_KEY),
                    v.string(SSL_TRUSTSTORE_TYPE).orElse("JKS"), v.string(SSL_TRUSTSTORE_LOCATION),
                    v.string(SSL_TRUSTSTORE_PASSWORD), v.string(SSL_TRUSTSTORE_CERTIFICATES),
                    TlsSettings.ClientAuth.parse(v.string(SSL_CLIENT_AUTH).orElse("none")),
                    v.list(SSL_ENABLED_PROTOCOLS), v.list(SSL_CIPHER_SUITES), v.string(SSL_PROVIDER).orElse("jdk"));
        } catch (IllegalArgumentException e) {
            throw v.fail(SSL_CLIENT_AUTH, e.getMessage());
        }
    }

    /** One listener's view of the configs: its prefixed value, else the node's. */
    private static final class Values {
        private final ConfigValues values;
        private final String listener;

        Values(ConfigValues values, String listener) {
            this.values = values;
            this.listener = listener;
        }

        String listenerPrefix() {
            return LISTENER_PREFIX + listener.toLowerCase(Locale.ROOT) + ".";
        }

        private Object value(String name) {
            String prefixed = values.originals().get(listenerPrefix() + name);
            if (prefixed == null) {
                return values.parsed().get(name);
            }
            ConfigDef.ConfigKey key = CONFIG_DEF.configKeys().get(name);
            try {
                Object parsed = ConfigDef.parseType(listenerPrefix() + name, prefixed, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(listenerPrefix() + name, parsed);
                }
                return parsed;
            } catch (ConfigException e) {
                throw e;
            }
        }

        Optional<String> string(String name) {
            Object v = value(name);
            String s = v instanceof Password password ? password.value() : (String) v;
            return Optional.ofNullable(s).filter(x -> !x.isBlank());
        }

        @SuppressWarnings("unchecked")
        List<String> list(String name) {
            List<String> list = (List<String>) value(name);
            return list == null ? List.of() : list.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        int integer(String name) {
            return (Integer) value(name);
        }

        long longValue(String name) {
            return (Long) value(name);
        }

        ConfigException fail(String name, String message) {
            return new ConfigException("listener " + listener + ": " + name + ": " + message);
        }
    }
}
