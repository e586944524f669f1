package io.herald.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

class ScramAlgorithmTest {

    /** RFC 7677, section 3: user "user", password "pencil". */
    @Test
    void derivesTheProofAndServerSignatureOfRfc7677() {
        ScramAlgorithm sha256 = ScramAlgorithm.SHA_256;
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        byte[] salted = sha256.saltedPassword("pencil".getBytes(StandardCharsets.UTF_8), salt, 4096);
        String nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] authMessage = ("n=user,r=rOprNGfwEbeRWgbNEkqO,r=" + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=" + nonce).getBytes(StandardCharsets.UTF_8);

        byte[] clientSignature = sha256.hmac(sha256.storedKey(salted), authMessage);
        byte[] proof = ScramAlgorithm.xor(sha256.clientKey(salted), clientSignature);
        byte[] serverSignature = sha256.hmac(sha256.serverKey(salted), authMessage);

        assertThat(Base64.getEncoder().encodeToString(proof))
                .isEqualTo("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertThat(Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    @Test
    void aProofIsVerifiedOnlyForItsStoredKeyAndMessage() {
        ScramAlgorithm sha256 = ScramAlgorithm.SHA_256;
        byte[] salted = sha256.saltedPassword("pencil".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2}, 4096);
        byte[] message = "auth-message".getBytes(StandardCharsets.UTF_8);
        byte[] proof = ScramAlgorithm.xor(sha256.clientKey(salted), sha256.hmac(sha256.storedKey(salted), message));

        assertThat(sha256.verifyClientProof(sha256.storedKey(salted), message, proof)).isTrue();
        byte[] wrong = proof.clone();
        wrong[5] ^= 1;
        assertThat(sha256.verifyClientProof(sha256.storedKey(salted), message, wrong)).isFalse();
        assertThat(sha256.verifyClientProof(sha256.storedKey(salted), message, new byte[31])).isFalse();
        assertThat(sha256.verifyClientProof(sha256.storedKey(salted), "other".getBytes(StandardCharsets.UTF_8),
                proof)).isFalse();
    }

    /** Kafka's client computes the same salted password and keys, so its proofs verify here. */
    @Test
    void bothMechanismsAgreeWithKafkasScramFormatter() throws Exception {
        java.util.Random random = new java.util.Random(42);
        for (ScramAlgorithm algorithm : ScramAlgorithm.values()) {
            ScramFormatter kafka = new ScramFormatter(ScramMechanism.forMechanismName(algorithm.mechanismName()));
            for (int round = 0; round < 20; round++) {
                byte[] password = new byte[1 + random.nextInt(40)];
                byte[] salt = new byte[random.nextInt(33)];
                byte[] message = new byte[random.nextInt(200)];
                random.nextBytes(password);
                random.nextBytes(salt);
                random.nextBytes(message);
                int iterations = 1 + random.nextInt(50);

                byte[] salted = algorithm.saltedPassword(password, salt, iterations);
                assertThat(salted).isEqualTo(kafka.hi(password, salt, iterations));
                assertThat(algorithm.clientKey(salted)).isEqualTo(kafka.clientKey(salted));
                assertThat(algorithm.storedKey(salted)).isEqualTo(kafka.storedKey(kafka.clientKey(salted)));
                assertThat(algorithm.serverKey(salted)).isEqualTo(kafka.serverKey(salted));
                assertThat(algorithm.hmac(salted, message)).isEqualTo(kafka.hmac(salted, message));
                assertThat(algorithm.hash(message)).isEqualTo(kafka.hash(message));
            }
        }
    }

    @Test
    void mechanismsAreFoundByNameAndByKafkaType() {
        assertThat(ScramAlgorithm.forMechanism("SCRAM-SHA-512")).contains(ScramAlgorithm.SHA_512);
        assertThat(ScramAlgorithm.forMechanism("SCRAM-SHA-1")).isEmpty();
        assertThat(ScramAlgorithm.forType((byte) 1)).contains(ScramAlgorithm.SHA_256);
        assertThat(ScramAlgorithm.forType((byte) 0)).isEmpty();
        assertThat(ScramAlgorithm.SHA_512.hash(new byte[0])).hasSize(64);
    }
}
