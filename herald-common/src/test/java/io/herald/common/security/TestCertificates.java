package io.herald.common.security;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.RFC4519Style;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for tests of TLS listeners, generated on the fly (no private key is ever checked in): a CA, a
 * broker certificate for {@code localhost} / {@code 127.0.0.1}, and client certificates, as PKCS12 stores and as PEM
 * files (for librdkafka, which reads PEM).
 *
 * <p>Not thread-safe; one instance per test class.
 */
public final class TestCertificates {
    /** The password of every store and encrypted key this class writes. */
    public static final String PASSWORD = "test-secret";

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X500Name caName = name("CN=Herald Test CA,O=Herald Test");
    private final X509Certificate ca;

    private TestCertificates(Path dir) throws GeneralSecurityException, OperatorCreationException {
        this.dir = dir;
        this.caKeys = keyPair();
        this.ca = sign(caName, caKeys, caName, caKeys.getPrivate(), true, null);
    }

    /** A new CA whose files go under {@code dir}. */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            TestCertificates pki = new TestCertificates(dir);
            pki.writePem(dir.resolve("ca.pem"), pki.ca);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", pki.ca);
            pki.store(trust, dir.resolve("truststore.p12"));
            return pki;
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the test PKI", e);
        }
    }

    /** The CA certificate as PEM. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A PKCS12 trust store holding the CA (password {@link #PASSWORD}). */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** Key material of one identity, in every form a client or broker might want. */
    public record Identity(Path keystore, Path certificatePem, Path keyPem, String subject) {
    }

    /** The broker's identity: subject {@code CN=localhost}, valid for {@code localhost} and {@code 127.0.0.1}. */
    public Identity server(String name) {
        return issue(name, "CN=localhost,O=Herald Test", true);
    }

    /** A client's identity with the given subject, e.g. {@code CN=alice,OU=clients,O=Herald Test}. */
    public Identity client(String name, String subject) {
        return issue(name, subject, false);
    }

    private Identity issue(String name, String subject, boolean server) {
        try {
            KeyPair keys = keyPair();
            X509Certificate certificate = sign(name(subject), keys, caName, caKeys.getPrivate(), false,
                    server ? new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}) : null);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(name, keys.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {certificate, ca});
            Path keystore = dir.resolve(name + ".p12");
            store(store, keystore);
            Path certificatePem = dir.resolve(name + ".pem");
            writePem(certificatePem, certificate, ca);
            Path keyPem = dir.resolve(name + ".key");
            StringWriter key = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(key)) {
                writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
            Files.writeString(keyPem, key.toString());
            return new Identity(keystore, certificatePem, keyPem, certificate.getSubjectX500Principal().getName());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + subject, e);
        }
    }

    /** A name whose RFC 2253 form is {@code subject} (most specific part first, as openssl and keytool write). */
    private static X500Name name(String subject) {
        return new X500Name(RFC4519Style.INSTANCE, subject);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        boolean isCa, GeneralNames alternativeNames)
            throws GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            builder.addExtension(Extension.keyUsage, true, isCa
                    ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                    : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            if (alternativeNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
            }
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static void store(KeyStore store, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }

    private static void writePem(Path file, X509Certificate... certificates) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    }
}
