package io.herald.bench.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The TLS material of the {@code -tls} workloads: a self-signed RSA 2048 certificate for 127.0.0.1 in a PKCS12 key
 * store, made with the JDK's {@code keytool} in the bench's temporary directory (nothing is checked in), and the
 * configs that put a broker's client listener and the load generator's clients on it. Both brokers get the same key
 * store and the same default cipher negotiation (TLS 1.3 with the JDK clients here), so the runs differ only in the
 * broker.
 *
 * @param keystore    the broker's PKCS12 key store
 * @param certificate the certificate as PEM, the clients' trust store
 */
public record BenchTls(Path keystore, Path certificate) {
    private static final String PASSWORD = "bench-only-secret";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /** Makes the key store and certificate under {@code dir} with the keytool beside {@code java}. */
    public static BenchTls create(Path dir, Path java) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("bench-broker.p12");
        Path certificate = dir.resolve("bench-broker.pem");
        Path keytool = java.resolveSibling("keytool");
        keytool(keytool, dir, "-genkeypair", "-alias", "bench", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "7",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        keytool(keytool, dir, "-exportcert", "-rfc", "-alias", "bench", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-file", certificate.toString());
        return new BenchTls(keystore, certificate);
    }

    private static void keytool(Path keytool, Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    /**
     * The key store configs of a broker's SSL listener (Kafka's names, which Herald reads too), and the certificate
     * as its trust store: Kafka checks at start that a client of its own settings can connect to the listener.
     */
    public Map<String, String> brokerConfigs() {
        return Map.of("ssl.keystore.type", "PKCS12", "ssl.keystore.location", keystore.toString(),
                "ssl.keystore.password", PASSWORD, "ssl.truststore.type", "PEM",
                "ssl.truststore.location", certificate.toString());
    }

    /** A client of that listener: SSL, trusting the certificate, with host name verification (its SAN). */
    public Map<String, Object> clientConfigs() {
        return Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", certificate.toString());
    }
}
