package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.api.ScramAdmin;
import io.herald.metadata.controller.ControllerCommand.AlterScramCredentials;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.ScramDeletion;
import io.herald.metadata.controller.ControllerCommand.ScramUpsertion;
import io.herald.metadata.controller.ControllerLogic.Decision;
import io.herald.metadata.controller.ControllerReply.UserError;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.ScramCredentialImage;
import io.herald.common.security.ScramAlgorithm;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.metadata.record.MetadataRecord;
import io.herald.metadata.record.MetadataRecord.RemoveUserScramCredentialRecord;
import io.herald.metadata.record.MetadataRecord.UserScramCredentialRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AlterScramCredentials decisions against Kafka 4.3.1's rules and messages (ScramControlManager): per-user
 * refusals, one user per request, the accepted alterations in one entry, and the credentials' durability in the
 * image, its snapshot and the metadata log.
 */
class ScramControlTest {
    private static final byte SHA_256 = ScramMechanism.SCRAM_SHA_256.type();
    private static final byte SHA_512 = ScramMechanism.SCRAM_SHA_512.type();
    private static final byte[] SALT = {1, 2, 3, 4};
    private static final byte[] SALTED = "a salted password of some length".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static ClusterImage newCluster() {
        return apply(ClusterImage.EMPTY, new InitCluster("c"));
    }

    private static Decision decide(ClusterImage image, AlterScramCredentials command) {
        return ControllerLogic.decide(image, command, image.offset() + 1, 1);
    }

    private static ClusterImage apply(ClusterImage image, ControllerCommand command) {
        for (MetadataRecord record : ControllerLogic.decide(image, command, image.offset() + 1, 1).records()) {
            image = image.apply(record);
        }
        return image;
    }

    private static List<UserError> results(Decision decision) {
        return ControllerReply.decodeUserErrors(decision.payload());
    }

    private static ScramUpsertion upsert(String user, byte mechanism, int iterations) {
        return ScramControl.upsertion(user, mechanism, iterations, SALT, SALTED);
    }

    private static AlterScramCredentials upserts(ScramUpsertion... upsertions) {
        return new AlterScramCredentials(List.of(), List.of(upsertions));
    }

    private static AlterScramCredentials deletes(ScramDeletion... deletions) {
        return new AlterScramCredentials(List.of(deletions), List.of());
    }

    private static UserError ok(String user) {
        return new UserError(user, Errors.NONE.code(), "");
    }

    private static UserError refused(String user, Errors error, String message) {
        return new UserError(user, error.code(), message);
    }

    @Test
    void upsertionStoresTheKeysOfTheSaltedPasswordNotThePasswordItself() {
        Decision decision = decide(newCluster(), upserts(upsert("alice", SHA_256, 8192)));

        assertThat(results(decision)).containsExactly(ok("alice"));
        ScramAlgorithm formulas = ScramAlgorithm.SHA_256;
        ScramCredentialImage expected = new ScramCredentialImage("alice", ScramMechanism.SCRAM_SHA_256, SALT,
                formulas.storedKey(SALTED), formulas.serverKey(SALTED), 8192);
        assertThat(decision.records()).containsExactly(new UserScramCredentialRecord(expected));
        ClusterImage image = apply(newCluster(), upserts(upsert("alice", SHA_256, 8192)));
        assertThat(image.scramCredential("alice", ScramMechanism.SCRAM_SHA_256)).contains(expected);
        assertThat(image.scramCredential("alice", ScramMechanism.SCRAM_SHA_512)).isEmpty();
        assertThat(image.scramCredential("bob", ScramMechanism.SCRAM_SHA_256)).isEmpty();
        // The log entry itself holds no salted password.
        String entry = new String(ControllerCommandSerde.encode(upserts(upsert("alice", SHA_256, 8192))),
                StandardCharsets.ISO_8859_1);
        assertThat(entry).doesNotContain(new String(SALTED, StandardCharsets.ISO_8859_1));
    }

    @Test
    void storedKeysOfTheRfc7677SaltedPasswordVerifyTheRfcProof() {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramAlgorithm formulas = ScramAlgorithm.SHA_256;
        byte[] salted = formulas.saltedPassword("pencil".getBytes(StandardCharsets.UTF_8), salt, 4096);

        ClusterImage image = apply(newCluster(), upserts(ScramControl.upsertion("user", SHA_256, 4096, salt, salted)));

        ScramCredentialImage stored = image.scramCredential("user", ScramMechanism.SCRAM_SHA_256).orElseThrow();
        byte[] authMessage = ("n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0").getBytes(StandardCharsets.UTF_8);
        assertThat(formulas.verifyClientProof(stored.storedKey(), authMessage,
                Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))).isTrue();
        assertThat(Base64.getEncoder().encodeToString(formulas.serverSignature(stored.serverKey(), authMessage)))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assertThat(stored.salt()).isEqualTo(salt);
        assertThat(stored.iterations()).isEqualTo(4096);
    }

    @Test
    void upsertionReplacesTheCredentialOfItsMechanismOnly() {
        ClusterImage image = apply(newCluster(), upserts(upsert("alice", SHA_256, 4096)));
        image = apply(image, upserts(upsert("alice", SHA_512, 5000)));
        image = apply(image, upserts(ScramControl.upsertion("alice", SHA_256, 6000, new byte[] {9}, SALTED)));

        assertThat(image.scramCredentials().of("alice")).extracting(ScramCredentialImage::mechanism,
                ScramCredentialImage::iterations).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_256, 6000),
                org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_512, 5000));
    }

    @Test
    void deletionRemovesTheCredentialAndTheUserWithItsLast() {
        ClusterImage image = apply(newCluster(), upserts(upsert("alice", SHA_256, 4096)));
        image = apply(image, upserts(upsert("alice", SHA_512, 4096)));

        Decision decision = decide(image, deletes(new ScramDeletion("alice", SHA_256)));
        assertThat(results(decision)).containsExactly(ok("alice"));
        assertThat(decision.records()).containsExactly(
                new RemoveUserScramCredentialRecord("alice", ScramMechanism.SCRAM_SHA_256));
        image = apply(image, deletes(new ScramDeletion("alice", SHA_256)));
        assertThat(image.scramCredential("alice", ScramMechanism.SCRAM_SHA_256)).isEmpty();
        assertThat(image.scramCredential("alice", ScramMechanism.SCRAM_SHA_512)).isPresent();
        image = apply(image, deletes(new ScramDeletion("alice", SHA_512)));
        assertThat(image.scramCredentials().byUser()).isEmpty();
    }

    @Test
    void deletingACredentialThatDoesNotExistIsResourceNotFound() {
        ClusterImage image = apply(newCluster(), upserts(upsert("alice", SHA_256, 4096)));

        Decision decision = decide(image, deletes(new ScramDeletion("alice", SHA_512),
                new ScramDeletion("bob", SHA_256)));

        assertThat(results(decision)).containsExactly(
                refused("alice", Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist"),
                refused("bob", Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist"));
        assertThat(decision.records()).isEmpty();
    }

    @Test
    void iterationsOutsideKafkasBoundsAreUnacceptable() {
        Decision decision = decide(newCluster(), upserts(upsert("few", SHA_256, 4095), upsert("min", SHA_256, 4096),
                upsert("max", SHA_512, 16_384), upsert("many", SHA_512, 16_385), upsert("none", SHA_256, 0)));

        assertThat(results(decision)).containsExactly(ok("min"), ok("max"),
                refused("few", Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations"),
                refused("many", Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations"),
                refused("none", Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations"));
        assertThat(decision.records()).hasSize(2);
    }

    @Test
    void unknownMechanismIsUnsupportedAndAnEmptyUserNameUnacceptableFirst() {
        Decision decision = decide(newCluster(), new AlterScramCredentials(
                List.of(new ScramDeletion("d0", (byte) 0), new ScramDeletion("", (byte) 9)),
                List.of(upsert("u3", (byte) 3, 4096), upsert("", SHA_256, 4096))));

        assertThat(results(decision)).containsExactly(
                refused("d0", Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"),
                refused("", Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty"),
                refused("u3", Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"));
        assertThat(decision.records()).isEmpty();
    }

    @Test
    void theSameUserTwiceIsADuplicateWhateverTheMechanismOrKind() {
        ClusterImage image = apply(newCluster(), upserts(upsert("alice", SHA_256, 4096)));
        image = apply(image, upserts(upsert("bob", SHA_256, 4096)));

        Decision decision = decide(image, new AlterScramCredentials(
                List.of(new ScramDeletion("alice", SHA_256), new ScramDeletion("bob", SHA_256),
                        new ScramDeletion("bob", SHA_256)),
                List.of(upsert("alice", SHA_512, 4096), upsert("carol", SHA_256, 4096), upsert("carol", SHA_512, 4096),
                        upsert("carol", SHA_256, 4096), upsert("dave", SHA_256, 4096))));

        String duplicate = "A user credential cannot be altered twice in the same request";
        assertThat(results(decision)).containsExactly(ok("dave"),
                refused("bob", Errors.DUPLICATE_RESOURCE, duplicate),
                refused("alice", Errors.DUPLICATE_RESOURCE, duplicate),
                refused("carol", Errors.DUPLICATE_RESOURCE, duplicate));
        assertThat(decision.records()).hasSize(1);
    }

    @Test
    void aUserWithAnErrorKeepsItAndFurtherAlterationsOfItAreIgnored() {
        Decision decision = decide(newCluster(), new AlterScramCredentials(
                List.of(new ScramDeletion("alice", SHA_256)),
                List.of(upsert("alice", SHA_256, 4096), upsert("bob", SHA_256, 10), upsert("bob", SHA_256, 4096))));

        assertThat(results(decision)).containsExactly(
                refused("alice", Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist"),
                refused("bob", Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations"));
        assertThat(decision.records()).isEmpty();
    }

    @Test
    void acceptedAlterationsTakeEffectTogetherInOneEntry() {
        ClusterImage image = apply(newCluster(), upserts(upsert("alice", SHA_256, 4096)));

        Decision decision = decide(image, new AlterScramCredentials(
                List.of(new ScramDeletion("alice", SHA_256), new ScramDeletion("zed", SHA_256)),
                List.of(upsert("bob", SHA_512, 4096), upsert("carol", SHA_256, 99_999), upsert("dave", SHA_256, 4096))));

        // Accepted deletions, accepted upsertions, then refusals, each in request order.
        assertThat(results(decision)).extracting(UserError::user).containsExactly("alice", "bob", "dave", "zed",
                "carol");
        assertThat(decision.records()).hasSize(3);
        ClusterImage after = image;
        for (MetadataRecord record : decision.records()) {
            after = after.apply(record);
        }
        assertThat(after.scramCredentials().byUser()).containsOnlyKeys("bob", "dave");
    }

    @Test
    void anEmptySaltedPasswordIsAnUnknownServerErrorWithoutMessageAsKafkasFailedHmac() {
        Decision decision = decide(newCluster(), upserts(ScramControl.upsertion("alice", SHA_256, 4096, SALT,
                new byte[0]), upsert("bob", SHA_256, 4096)));

        assertThat(results(decision)).containsExactly(ok("bob"), refused("alice", Errors.UNKNOWN_SERVER_ERROR, ""));
        assertThat(decision.records()).hasSize(1);
    }

    @Test
    void credentialsSurviveASnapshot() {
        ClusterImage image = apply(newCluster(), upserts(upsert("bob", SHA_512, 4096)));
        image = apply(image, upserts(upsert("alice", SHA_256, 8192)));
        image = apply(image, upserts(upsert("bob", SHA_256, 16_000)));

        ClusterImage restored = ControllerSnapshot.read(ControllerSnapshot.write(image));

        assertThat(restored).isEqualTo(image);
        assertThat(restored.scramCredentials().all()).extracting(ScramCredentialImage::user)
                .containsExactly("alice", "bob", "bob");
    }

    @Test
    void credentialsSurviveARestartOfTheMetadataLog() throws Exception {
        Map<String, ApiError> results;
        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-a")) {
            results = controller.alterScramCredentials(List.of(new ScramAdmin.Deletion("nobody", SHA_256)),
                    List.of(new ScramAdmin.Upsertion("alice", SHA_512, 4096, SALT, SALTED),
                            new ScramAdmin.Upsertion("bob", SHA_256, 1, SALT, SALTED)));
        }
        assertThat(results).containsExactly(Map.entry("alice", ApiError.NONE),
                Map.entry("nobody", new ApiError(Errors.RESOURCE_NOT_FOUND,
                        "Attempt to delete a user credential that does not exist")),
                Map.entry("bob", new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations")));

        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-a")) {
            ScramAlgorithm formulas = ScramAlgorithm.SHA_512;
            assertThat(controller.image().scramCredential("alice", ScramMechanism.SCRAM_SHA_512)).contains(
                    new ScramCredentialImage("alice", ScramMechanism.SCRAM_SHA_512, SALT,
                            formulas.storedKey(SALTED), formulas.serverKey(SALTED), 4096));
            assertThat(controller.image().scramCredentials().byUser()).containsOnlyKeys("alice");
        }
    }
}
