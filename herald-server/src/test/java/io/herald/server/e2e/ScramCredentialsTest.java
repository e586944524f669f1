package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.image.ScramCredentialImage;
import io.herald.common.security.ScramAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterUserScramCredentialsResult;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.UnacceptableCredentialException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-clients' Admin {@code alterUserScramCredentials} and {@code describeUserScramCredentials} against a
 * broker: both mechanisms, deletion, Kafka 4.3's errors as the Java client surfaces them (and, for the cases the
 * client refuses before sending, as the broker answers a raw request), the stored keys, and the credentials'
 * durability in the metadata log across a restart.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ScramCredentialsTest {
    private static final int T = 20;

    @TempDir
    Path dir;

    private static UserScramCredentialUpsertion upsert(String user, ScramMechanism mechanism, int iterations,
                                                       String password) {
        return new UserScramCredentialUpsertion(user, new ScramCredentialInfo(mechanism, iterations), password);
    }

    private static void alter(Admin admin, UserScramCredentialAlteration... alterations) throws Exception {
        admin.alterUserScramCredentials(List.of(alterations)).all().get(T, TimeUnit.SECONDS);
    }

    private static Map<String, UserScramCredentialsDescription> describeAll(Admin admin) throws Exception {
        return admin.describeUserScramCredentials().all().get(T, TimeUnit.SECONDS);
    }

    private static UserScramCredentialsDescription description(String user, ScramCredentialInfo... infos) {
        return new UserScramCredentialsDescription(user, List.of(infos));
    }

    private static Throwable cause(AlterUserScramCredentialsResult result, String user) {
        try {
            result.values().get(user).get(T, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the alteration of " + user + " succeeded");
    }

    @Test
    void upsertsOfBothMechanismsAreDescribedWithTheirIterationsAndDeletionsRemoveThem() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();
            assertThat(describeAll(admin)).isEmpty();

            alter(admin, upsert("alice", ScramMechanism.SCRAM_SHA_256, 8192, "alice-secret"),
                    upsert("bob", ScramMechanism.SCRAM_SHA_512, 4096, "bob-secret"));
            alter(admin, upsert("alice", ScramMechanism.SCRAM_SHA_512, 16_384, "alice-secret"));

            assertThat(describeAll(admin)).isEqualTo(Map.of(
                    "alice", description("alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 16_384)),
                    "bob", description("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096))));
            assertThat(admin.describeUserScramCredentials(List.of("bob")).description("bob").get(T, TimeUnit.SECONDS))
                    .isEqualTo(description("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)));

            alter(admin, new UserScramCredentialDeletion("alice", ScramMechanism.SCRAM_SHA_256));
            alter(admin, new UserScramCredentialDeletion("bob", ScramMechanism.SCRAM_SHA_512));

            assertThat(describeAll(admin)).isEqualTo(Map.of("alice", description("alice",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 16_384))));
            assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("bob")).description("bob")
                    .get(T, TimeUnit.SECONDS)).hasCauseInstanceOf(ResourceNotFoundException.class)
                    .hasMessageContaining("Attempt to describe a user credential that does not exist: bob");
            assertThat(admin.describeUserScramCredentials(List.of("alice", "bob")).users().get(T, TimeUnit.SECONDS))
                    .containsExactly("alice");
        }
    }

    @Test
    void refusalsReachTheJavaClientAsKafkasExceptions() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();
            alter(admin, upsert("alice", ScramMechanism.SCRAM_SHA_256, 4096, "secret"));

            AlterUserScramCredentialsResult result = admin.alterUserScramCredentials(List.of(
                    upsert("few", ScramMechanism.SCRAM_SHA_256, 4095, "secret"),
                    upsert("many", ScramMechanism.SCRAM_SHA_512, 16_385, "secret"),
                    new UserScramCredentialDeletion("alice", ScramMechanism.SCRAM_SHA_512),
                    upsert("carol", ScramMechanism.SCRAM_SHA_256, 4096, "secret"),
                    upsert("carol", ScramMechanism.SCRAM_SHA_512, 4096, "secret"),
                    upsert("dave", ScramMechanism.SCRAM_SHA_256, 4096, "secret"),
                    upsert("erin", ScramMechanism.UNKNOWN, 4096, "secret"),
                    upsert("", ScramMechanism.SCRAM_SHA_256, 4096, "secret")));

            assertThat(cause(result, "few")).isInstanceOf(UnacceptableCredentialException.class)
                    .hasMessage("Too few iterations");
            assertThat(cause(result, "many")).isInstanceOf(UnacceptableCredentialException.class)
                    .hasMessage("Too many iterations");
            assertThat(cause(result, "alice")).isInstanceOf(ResourceNotFoundException.class)
                    .hasMessage("Attempt to delete a user credential that does not exist");
            assertThat(cause(result, "carol")).isInstanceOf(DuplicateResourceException.class)
                    .hasMessage("A user credential cannot be altered twice in the same request");
            // These two the Java client refuses itself, with Kafka's own words; the raw test below sends them.
            assertThat(cause(result, "erin")).isInstanceOf(UnsupportedSaslMechanismException.class)
                    .hasMessage("Unknown SCRAM mechanism");
            assertThat(cause(result, "")).isInstanceOf(UnacceptableCredentialException.class)
                    .hasMessage("Username must not be empty");
            result.values().get("dave").get(T, TimeUnit.SECONDS);

            assertThat(describeAll(admin)).containsOnlyKeys("alice", "dave");
            assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("alice", "alice")).description("alice")
                    .get(T, TimeUnit.SECONDS)).hasCauseInstanceOf(DuplicateResourceException.class)
                    .hasMessageContaining("Cannot describe SCRAM credentials for the same user twice in a single "
                            + "request: alice");
        }
    }

    @Test
    void theBrokerRefusesWhatTheJavaClientWouldNotSend() throws Exception {
        try (TestBroker broker = TestBroker.start(dir); TestBroker.RawConnection raw = broker.raw()) {
            AlterUserScramCredentialsResponse altered = raw.roundTrip(new AlterUserScramCredentialsRequest.Builder(
                    new AlterUserScramCredentialsRequestData()
                            .setDeletions(List.of(new ScramCredentialDeletion().setName("erin").setMechanism((byte) 0)))
                            .setUpsertions(List.of(
                                    new ScramCredentialUpsertion().setName("frank").setMechanism((byte) 3)
                                            .setIterations(4096).setSalt(new byte[] {1}).setSaltedPassword(new byte[] {2}),
                                    new ScramCredentialUpsertion().setName("").setMechanism((byte) 1)
                                            .setIterations(4096).setSalt(new byte[] {1}).setSaltedPassword(new byte[] {2}),
                                    new ScramCredentialUpsertion().setName("gina").setMechanism((byte) 1)
                                            .setIterations(4096).setSalt(new byte[] {1}).setSaltedPassword(new byte[0]),
                                    new ScramCredentialUpsertion().setName("hank").setMechanism((byte) 2)
                                            .setIterations(5000).setSalt(new byte[] {1})
                                            .setSaltedPassword(new byte[] {2})))).build((short) 0));

            assertThat(altered.data().results()).extracting(
                    AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult::user,
                    r -> Errors.forCode(r.errorCode()),
                    AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult::errorMessage)
                    .containsExactly(
                    org.assertj.core.groups.Tuple.tuple("hank", Errors.NONE, null),
                    org.assertj.core.groups.Tuple.tuple("erin", Errors.UNSUPPORTED_SASL_MECHANISM,
                            "Unknown SCRAM mechanism"),
                    org.assertj.core.groups.Tuple.tuple("frank", Errors.UNSUPPORTED_SASL_MECHANISM,
                            "Unknown SCRAM mechanism"),
                    org.assertj.core.groups.Tuple.tuple("", Errors.UNACCEPTABLE_CREDENTIAL,
                            "Username must not be empty"),
                    org.assertj.core.groups.Tuple.tuple("gina", Errors.UNKNOWN_SERVER_ERROR, null));

            DescribeUserScramCredentialsResponseData described = raw.<DescribeUserScramCredentialsResponse>roundTrip(
                    new DescribeUserScramCredentialsRequest.Builder(new DescribeUserScramCredentialsRequestData()
                            .setUsers(List.of(new UserName().setName("hank"), new UserName().setName("nobody"),
                                    new UserName().setName("hank")))).build((short) 0)).data();

            assertThat(Errors.forCode(described.errorCode())).isEqualTo(Errors.NONE);
            assertThat(described.results()).extracting(r -> r.user(), r -> Errors.forCode(r.errorCode()),
                    r -> r.errorMessage()).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("hank", Errors.DUPLICATE_RESOURCE,
                            "Cannot describe SCRAM credentials for the same user twice in a single request: hank"),
                    org.assertj.core.groups.Tuple.tuple("nobody", Errors.RESOURCE_NOT_FOUND,
                            "Attempt to describe a user credential that does not exist: nobody"));
            assertThat(described.results()).allSatisfy(r -> assertThat(r.credentialInfos()).isEmpty());

            DescribeUserScramCredentialsResponseData all = raw.<DescribeUserScramCredentialsResponse>roundTrip(
                    new DescribeUserScramCredentialsRequest.Builder(new DescribeUserScramCredentialsRequestData()
                            .setUsers(null)).build((short) 0)).data();
            assertThat(all.results()).singleElement().satisfies(r -> {
                assertThat(r.user()).isEqualTo("hank");
                assertThat(r.credentialInfos()).singleElement().satisfies(info -> {
                    assertThat(info.mechanism()).isEqualTo(ScramMechanism.SCRAM_SHA_512.type());
                    assertThat(info.iterations()).isEqualTo(5000);
                });
            });
        }
    }

    @Test
    void storedKeysAreTheRfc7677KeysAndSurviveARestart() throws Exception {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        // RFC 7677 section 3: AuthMessage of its example exchange, its ClientProof and ServerSignature.
        byte[] authMessage = ("n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0").getBytes(StandardCharsets.UTF_8);
        byte[] proof = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        String serverSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
        ScramAlgorithm sha256 = ScramAlgorithm.SHA_256;

        try (TestBroker broker = TestBroker.start(dir)) {
            alter(broker.admin(), new UserScramCredentialUpsertion("user",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                    "pencil".getBytes(StandardCharsets.UTF_8), salt));
            alter(broker.admin(), upsert("user", ScramMechanism.SCRAM_SHA_512, 10_000, "pencil"));

            broker.restart();

            assertThat(describeAll(broker.admin())).isEqualTo(Map.of("user", description("user",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 10_000))));
            ScramCredentialImage stored = broker.broker().controller().image()
                    .scramCredential("user", ScramMechanism.SCRAM_SHA_256).orElseThrow();
            assertThat(stored.salt()).isEqualTo(salt);
            assertThat(sha256.verifyClientProof(stored.storedKey(), authMessage, proof)).isTrue();
            assertThat(Base64.getEncoder().encodeToString(sha256.serverSignature(stored.serverKey(), authMessage)))
                    .isEqualTo(serverSignature);

            ScramCredentialImage sha512 = broker.broker().controller().image()
                    .scramCredential("user", ScramMechanism.SCRAM_SHA_512).orElseThrow();
            ScramAlgorithm formulas = ScramAlgorithm.SHA_512;
            byte[] salted = formulas.saltedPassword("pencil".getBytes(StandardCharsets.UTF_8), sha512.salt(), 10_000);
            assertThat(sha512.storedKey()).isEqualTo(formulas.storedKey(salted));
            assertThat(sha512.serverKey()).isEqualTo(formulas.serverKey(salted));
        }
    }
}
