package io.herald.protocol.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a listener's Netty {@link SslContext} from {@link TlsSettings}: key material from a store or PEM, trust
 * from a store, PEM, or the JDK's defaults; {@code ssl.client.auth}, protocols and cipher suites as given.
 *
 * <p>Stateless and thread-safe. Errors are {@link IllegalArgumentException}s naming the setting, so a broker with a
 * bad key store refuses to start with a clear message.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** The server context of a listener. */
    public static SslContext server(TlsSettings settings) {
        try {
            SslContextBuilder builder = keyMaterial(settings);
            trustMaterial(settings, builder);
            builder.clientAuth(switch (settings.clientAuth()) {
                case NONE -> ClientAuth.NONE;
                case REQUESTED -> ClientAuth.OPTIONAL;
                case REQUIRED -> ClientAuth.REQUIRE;
            });
            if (!settings.enabledProtocols().isEmpty()) {
                builder.protocols(settings.enabledProtocols());
            }
            if (!settings.cipherSuites().isEmpty()) {
                builder.ciphers(settings.cipherSuites());
            }
            builder.sslProvider(provider(settings.provider()));
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * The JDK context of this broker's own client connections to other brokers' listeners: trust from the trust
     * store (or the JDK's), and the key store as client certificate when there is one (for listeners that require
     * it).
     */
    public static SSLContext client(TlsSettings settings) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            if (settings.keystoreLocation().isPresent() || settings.keystoreKey().isPresent()) {
                clientKeyMaterial(settings, builder);
            }
            trustMaterial(settings, builder);
            if (!settings.enabledProtocols().isEmpty()) {
                builder.protocols(settings.enabledProtocols());
            }
            if (!settings.cipherSuites().isEmpty()) {
                builder.ciphers(settings.cipherSuites());
            }
            return ((JdkSslContext) builder.build()).context();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build the inter-broker TLS context: " + e.getMessage(), e);
        }
    }

    /** The key material of {@link #keyMaterial}, for a client builder. */
    private static void clientKeyMaterial(TlsSettings s, SslContextBuilder builder) {
        String type = s.keystoreType().toUpperCase(Locale.ROOT);
        if (type.equals("PEM")) {
            byte[] chain = s.keystoreCertificateChain().map(c -> c.getBytes(StandardCharsets.US_ASCII))
                    .orElseGet(() -> read(s.keystoreLocation().orElseThrow(), "ssl.keystore.location"));
            byte[] key = s.keystoreKey().map(k -> k.getBytes(StandardCharsets.US_ASCII)).orElse(chain);
            builder.keyManager(new ByteArrayInputStream(chain), new ByteArrayInputStream(key),
                    s.keyPassword().orElse(null));
            return;
        }
        KeyStore store = load(type, s.keystoreLocation().orElseThrow(), s.keystorePassword(), "ssl.keystore");
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, s.keyPassword().or(s::keystorePassword).map(String::toCharArray).orElse(null));
            builder.keyManager(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ssl.keystore: cannot use the private key (" + e.getMessage() + ")", e);
        }
    }

    private static SslProvider provider(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("herald.ssl.provider=openssl, but OpenSSL (netty-tcnative) "
                            + "is not available: " + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            default -> throw new IllegalArgumentException("unknown herald.ssl.provider '" + name
                    + "' (expected: jdk or openssl)");
        };
    }

    private static SslContextBuilder keyMaterial(TlsSettings s) {
        String type = s.keystoreType().toUpperCase(Locale.ROOT);
        if (type.equals("PEM")) {
            byte[] chain;
            byte[] key;
            if (s.keystoreCertificateChain().isPresent() || s.keystoreKey().isPresent()) {
                chain = s.keystoreCertificateChain().orElseThrow(() -> missing("ssl.keystore.certificate.chain"))
                        .getBytes(StandardCharsets.US_ASCII);
                key = s.keystoreKey().orElseThrow(() -> missing("ssl.keystore.key"))
                        .getBytes(StandardCharsets.US_ASCII);
            } else {
                // A PEM key store file holds the private key and the certificate chain.
                chain = read(s.keystoreLocation().orElseThrow(() -> missing("ssl.keystore.location")),
                        "ssl.keystore.location");
                key = chain;
            }
            try {
                return SslContextBuilder.forServer(new ByteArrayInputStream(chain), new ByteArrayInputStream(key),
                        s.keyPassword().orElse(null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ssl.keystore: cannot read the PEM key or certificates: "
                        + e.getMessage(), e);
            }
        }
        String location = s.keystoreLocation().orElseThrow(() -> missing("ssl.keystore.location"));
        KeyStore store = load(type, location, s.keystorePassword(), "ssl.keystore");
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            char[] keyPassword = s.keyPassword().or(s::keystorePassword).map(String::toCharArray).orElse(null);
            factory.init(store, keyPassword);
            return SslContextBuilder.forServer(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ssl.keystore.location " + location + ": cannot use the private key ("
                    + e.getMessage() + "); check ssl.key.password", e);
        }
    }

    private static void trustMaterial(TlsSettings s, SslContextBuilder builder) {
        String type = s.truststoreType().toUpperCase(Locale.ROOT);
        Optional<byte[]> pem = s.truststoreCertificates().map(t -> t.getBytes(StandardCharsets.US_ASCII));
        if (pem.isEmpty() && type.equals("PEM") && s.truststoreLocation().isPresent()) {
            pem = Optional.of(read(s.truststoreLocation().get(), "ssl.truststore.location"));
        }
        if (pem.isPresent()) {
            try {
                builder.trustManager(new ByteArrayInputStream(pem.get()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ssl.truststore: cannot read the PEM certificates: "
                        + e.getMessage(), e);
            }
            return;
        }
        if (s.truststoreLocation().isEmpty()) {
            return;
        }
        KeyStore store = load(type, s.truststoreLocation().get(), s.truststorePassword(), "ssl.truststore");
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            builder.trustManager(factory);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ssl.truststore.location: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String type, String location, Optional<String> password, String prefix) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.map(String::toCharArray).orElse(null));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(prefix + ".location " + location + " (" + prefix + ".type " + type
                    + "): cannot load it: " + e.getMessage(), e);
        }
    }

    private static byte[] read(String location, String config) {
        try {
            return Files.readAllBytes(Path.of(location));
        } catch (IOException e) {
            throw new IllegalArgumentException(config + " " + location + ": cannot read it: " + e, e);
        }
    }

    private static IllegalArgumentException missing(String config) {
        return new IllegalArgumentException(config + " is required for a TLS listener");
    }
}
