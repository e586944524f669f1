package io.herald.protocol.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The key and trust managers of {@link TlsSettings} as plain JDK objects, for transports that build their own TLS
 * contexts (the controller quorum's gRPC, which brings a shaded Netty of its own and cannot take Herald's
 * {@code SslContext}). Reads what {@link TlsContexts} reads: JKS and PKCS12 stores, PEM files and inline PEM; a PEM
 * private key must be PKCS#8 ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE KEY} with
 * {@code ssl.key.password}), as Kafka requires.
 *
 * <p>Stateless and thread-safe. Errors are {@link IllegalArgumentException}s naming the setting.
 */
public final class JdkTlsMaterial {
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "DSA", "Ed25519", "Ed448");

    private JdkTlsMaterial() {
    }

    /** The key managers of the key store, or empty when the settings have none (a client without a certificate). */
    public static Optional<KeyManager[]> keyManagers(TlsSettings s) {
        KeyStore store;
        char[] keyPassword;
        if (s.keystoreType().equalsIgnoreCase("PEM")) {
            if (s.keystoreCertificateChain().isEmpty() && s.keystoreKey().isEmpty() && s.keystoreLocation().isEmpty()) {
                return Optional.empty();
            }
            String chain = s.keystoreCertificateChain()
                    .orElseGet(() -> read(s.keystoreLocation().orElseThrow(), "ssl.keystore.location"));
            String key = s.keystoreKey().orElse(chain);
            keyPassword = new char[0];
            store = emptyStore();
            try {
                store.setKeyEntry("key", privateKey(key, s.keyPassword()), keyPassword,
                        certificates(chain, "ssl.keystore").toArray(Certificate[]::new));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("ssl.keystore: cannot use the PEM key (" + e.getMessage() + ")", e);
            }
        } else {
            if (s.keystoreLocation().isEmpty()) {
                return Optional.empty();
            }
            store = load(s.keystoreType(), s.keystoreLocation().get(), s.keystorePassword(), "ssl.keystore");
            keyPassword = s.keyPassword().or(s::keystorePassword).map(String::toCharArray).orElse(null);
        }
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, keyPassword);
            return Optional.of(factory.getKeyManagers());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ssl.keystore: cannot use the private key (" + e.getMessage()
                    + "); check ssl.key.password", e);
        }
    }

    /**
     * The trust manager of the trust store (the JDK's default trust when there is none). With
     * {@code verifyHostname} false ({@code ssl.endpoint.identification.algorithm} empty) it checks the peer's
     * certificate chain but not that the certificate names the host connected to, even when the transport asks.
     */
    public static X509TrustManager trustManager(TlsSettings s, boolean verifyHostname) {
        KeyStore store = null;
        Optional<String> pem = s.truststoreCertificates();
        if (pem.isEmpty() && s.truststoreType().equalsIgnoreCase("PEM") && s.truststoreLocation().isPresent()) {
            pem = Optional.of(read(s.truststoreLocation().get(), "ssl.truststore.location"));
        }
        if (pem.isPresent()) {
            store = emptyStore();
            List<X509Certificate> trusted = certificates(pem.get(), "ssl.truststore");
            try {
                for (int i = 0; i < trusted.size(); i++) {
                    store.setCertificateEntry("trusted-" + i, trusted.get(i));
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("ssl.truststore: " + e.getMessage(), e);
            }
        } else if (s.truststoreLocation().isPresent()) {
            store = load(s.truststoreType(), s.truststoreLocation().get(), s.truststorePassword(), "ssl.truststore");
        }
        X509TrustManager trust;
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            trust = x509(factory.getTrustManagers());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ssl.truststore: " + e.getMessage(), e);
        }
        return verifyHostname ? trust : new ChainOnly((X509ExtendedTrustManager) trust);
    }

    private static X509TrustManager x509(TrustManager[] managers) {
        for (TrustManager manager : managers) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalArgumentException("ssl.truststore: the JDK gave no X.509 trust manager");
    }

    private static PrivateKey privateKey(String pem, Optional<String> password) throws GeneralSecurityException {
        Matcher m = PEM_BLOCK.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> {
                    return decode(new PKCS8EncodedKeySpec(der));
                }
                case "ENCRYPTED PRIVATE KEY" -> {
                    char[] secret = password.orElseThrow(() -> new IllegalArgumentException(
                            "ssl.keystore: the PEM key is encrypted and ssl.key.password is not set")).toCharArray();
                    EncryptedPrivateKeyInfo info = encryptedInfo(der);
                    SecretKeyFactory factory = SecretKeyFactory.getInstance(info.getAlgName());
                    Cipher cipher = Cipher.getInstance(info.getAlgName());
                    cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(secret)),
                            info.getAlgParameters());
                    return decode(info.getKeySpec(cipher));
                }
                default -> {
                    // a certificate of a combined PEM file; the key is further on
                }
            }
        }
        throw new IllegalArgumentException("ssl.keystore: no PKCS#8 private key (BEGIN PRIVATE KEY or "
                + "BEGIN ENCRYPTED PRIVATE KEY) in the PEM key");
    }

    private static EncryptedPrivateKeyInfo encryptedInfo(byte[] der) {
        try {
            return new EncryptedPrivateKeyInfo(der);
        } catch (IOException e) {
            throw new IllegalArgumentException("ssl.keystore: the encrypted PEM key is not valid DER (" + e.getMessage()
                    + ")", e);
        }
    }

    private static PrivateKey decode(PKCS8EncodedKeySpec spec) throws GeneralSecurityException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // not this algorithm
            }
        }
        throw new InvalidKeySpecException("not an " + KEY_ALGORITHMS + " key");
    }

    private static List<X509Certificate> certificates(String pem, String prefix) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = PEM_BLOCK.matcher(pem);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(
                            Base64.getMimeDecoder().decode(m.group(2)))));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ": cannot read the PEM certificates: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(prefix + ": no BEGIN CERTIFICATE block in the PEM");
        }
        return out;
    }

    private static KeyStore emptyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no PKCS12 key store", e);
        }
    }

    private static KeyStore load(String type, String location, Optional<String> password, String prefix) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type.toUpperCase(Locale.ROOT));
            store.load(in, password.map(String::toCharArray).orElse(null));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(prefix + ".location " + location + " (" + prefix + ".type " + type
                    + "): cannot load it: " + e.getMessage(), e);
        }
    }

    private static String read(String location, String config) {
        try {
            return Files.readString(Path.of(location), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(config + " " + location + ": cannot read it: " + e, e);
        }
    }

    /**
     * Checks the chain against the trust store and skips the host name check: the engine- and socket-aware methods,
     * through which a transport asks for endpoint identification, go to the plain ones.
     */
    private static final class ChainOnly extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        ChainOnly(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
