package io.herald.protocol.security;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A listener's TLS configuration with Kafka's {@code ssl.*} meaning. Key and trust material come from a JKS or
 * PKCS12 store file, or as PEM (a PEM file as the store location, or the PEM text itself in
 * {@code ssl.keystore.certificate.chain} / {@code ssl.keystore.key} / {@code ssl.truststore.certificates}).
 *
 * @param keystoreType     {@code JKS}, {@code PKCS12} or {@code PEM}
 * @param keystoreLocation the key store file; empty with inline PEM
 * @param keystorePassword the store's password (not used for PEM)
 * @param keyPassword      the private key's password; for a JKS/PKCS12 store, defaults to the store's
 * @param keystoreCertificateChain inline PEM certificate chain
 * @param keystoreKey      inline PEM private key (PKCS#8, possibly encrypted with {@code keyPassword})
 * @param truststoreType   type of the trust store
 * @param truststoreLocation the trust store file; empty: the JDK's default trust
 * @param truststorePassword the trust store's password
 * @param truststoreCertificates inline PEM trusted certificates
 * @param clientAuth       {@code ssl.client.auth}: {@code required}, {@code requested} or {@code none}
 * @param enabledProtocols {@code ssl.enabled.protocols}; empty: the provider's defaults
 * @param cipherSuites     {@code ssl.cipher.suites}; empty: the provider's defaults
 * @param provider         {@code herald.ssl.provider}: {@code jdk} or {@code openssl} (netty-tcnative)
 */
public record TlsSettings(String keystoreType, Optional<String> keystoreLocation, Optional<String> keystorePassword,
                          Optional<String> keyPassword, Optional<String> keystoreCertificateChain,
                          Optional<String> keystoreKey, String truststoreType, Optional<String> truststoreLocation,
                          Optional<String> truststorePassword, Optional<String> truststoreCertificates,
                          ClientAuth clientAuth, List<String> enabledProtocols, List<String> cipherSuites,
                          String provider) {

    /** {@code ssl.client.auth}. */
    public enum ClientAuth {
        NONE, REQUESTED, REQUIRED;

        public static ClientAuth parse(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "none" -> NONE;
                case "requested" -> REQUESTED;
                case "required" -> REQUIRED;
                default -> throw new IllegalArgumentException("unknown ssl.client.auth '" + value
                        + "' (expected: required, requested or none)");
            };
        }
    }

    public TlsSettings {
        Objects.requireNonNull(keystoreType, "keystoreType");
        Objects.requireNonNull(truststoreType, "truststoreType");
        Objects.requireNonNull(clientAuth, "clientAuth");
        enabledProtocols = List.copyOf(enabledProtocols);
        cipherSuites = List.copyOf(cipherSuites);
    }
}
