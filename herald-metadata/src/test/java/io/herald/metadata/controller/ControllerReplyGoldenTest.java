package io.herald.metadata.controller;

import static io.herald.common.codec.GoldenCase.current;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.codec.GoldenCase;
import io.herald.common.codec.GoldenFixture;
import io.herald.common.codec.GoldenFixtures;
import io.herald.metadata.controller.ControllerReply.AclResult;
import io.herald.metadata.controller.ControllerReply.PartitionError;
import io.herald.metadata.controller.ControllerReply.UserError;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes of controller replies ({@link ControllerReply}, version 1) and of the payloads inside them that
 * are not metadata records (partition errors, a number, a text; unversioned, named version 0). Replies travel
 * from the quorum member that applied an entry to the one that asked, which may run another Herald version
 * during a rolling upgrade. Fixtures are under {@code golden/controller-reply/}; see {@link GoldenFixtures}.
 */
class ControllerReplyGoldenTest {
    private static final GoldenFixtures GOLDEN = GoldenFixtures.of("controller-reply");

    static List<GoldenCase<ControllerReply>> replyCases() {
        return List.of(
                current("reply-v1", "a success with a payload",
                        ControllerReply.success(1_234_567L, ControllerReply.encodeLong(5_000_000_000L))),
                current("reply-v1-failure", "a failure with a message",
                        ControllerReply.failure(77, Errors.INVALID_REPLICATION_FACTOR, "ü ✓ \u0000 🚀 too few")),
                current("reply-v1-validate-only", "a validate-only success without payload",
                        ControllerReply.success(-1, new byte[0])));
    }

    static List<GoldenCase<List<PartitionError>>> partitionErrorCases() {
        return List.of(current("partition-errors-v0", "per-partition outcomes", List.of(
                        new PartitionError("orders.eu-1", 0, Errors.NONE.code(), ""),
                        new PartitionError("t", 3, Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE.code(), "no leader ü"))),
                current("partition-errors-v0-empty", "no partition", List.of()));
    }

    static List<GoldenCase<List<UserError>>> userErrorCases() {
        return List.of(current("user-errors-v0", "per-user outcomes (AlterScramCredentials)", List.of(
                new UserError("alice-ü", Errors.NONE.code(), ""),
                new UserError("bob", Errors.UNACCEPTABLE_CREDENTIAL.code(), "Too few iterations"))));
    }

    static List<GoldenCase<List<AclResult>>> aclResultCases() {
        AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders-ü", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
        AclBinding other = new AclBinding(new ResourcePattern(ResourceType.GROUP, "g", PatternType.PREFIXED),
                new AccessControlEntry("User:bob", "10.0.0.1", AclOperation.ALL, AclPermissionType.DENY));
        return List.of(current("acl-results-v0", "per-binding (CreateAcls) and per-filter (DeleteAcls) outcomes",
                List.of(new AclResult(Errors.NONE.code(), "", List.of()),
                        new AclResult(Errors.INVALID_REQUEST.code(), "Invalid operation UNKNOWN", List.of()),
                        new AclResult(Errors.NONE.code(), "", List.of(binding, other)))));
    }

    // Each test encodes and then decodes, so that a run writing missing fixtures writes before it reads.
    @ParameterizedTest(name = "{0}")
    @MethodSource("replyCases")
    void replyEncodesToAndDecodesFromItsGoldenBytes(GoldenCase<ControllerReply> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(c.record().encode()));

        // Recursive: the payload is an array, which record equality compares by identity.
        assertThat(ControllerReply.decode(GOLDEN.read(c.name()).bytes("entry")))
                .usingRecursiveComparison().isEqualTo(c.record());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partitionErrorCases")
    void partitionErrorsEncodeToAndDecodeFromTheirGoldenBytes(GoldenCase<List<PartitionError>> c) {
        GOLDEN.verify(c.name(), c.description(),
                GoldenFixture.entry(ControllerReply.encodePartitionErrors(c.record())));

        assertThat(ControllerReply.decodePartitionErrors(GOLDEN.read(c.name()).bytes("entry")))
                .isEqualTo(c.record());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userErrorCases")
    void userErrorsEncodeToAndDecodeFromTheirGoldenBytes(GoldenCase<List<UserError>> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(ControllerReply.encodeUserErrors(c.record())));

        assertThat(ControllerReply.decodeUserErrors(GOLDEN.read(c.name()).bytes("entry"))).isEqualTo(c.record());
    }

    @Test
    void numberAndTextPayloadsKeepTheirGoldenBytes() {
        GOLDEN.verify("long-v0", "a number payload (producer id)",
                GoldenFixture.entry(ControllerReply.encodeLong(-5_000_000_000L)));
        GOLDEN.verify("string-v0", "a text payload (cluster id)",
                GoldenFixture.entry(ControllerReply.encodeString("Hk3xQ9-clüster 🚀")));

        assertThat(ControllerReply.decodeLong(GOLDEN.read("long-v0").bytes("entry"))).isEqualTo(-5_000_000_000L);
        assertThat(ControllerReply.decodeString(GOLDEN.read("string-v0").bytes("entry")))
                .isEqualTo("Hk3xQ9-clüster 🚀");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aclResultCases")
    void aclResultsEncodeToAndDecodeFromTheirGoldenBytes(GoldenCase<List<AclResult>> c) {
        GOLDEN.verify(c.name(), c.description(), GoldenFixture.entry(ControllerReply.encodeAclResults(c.record())));

        assertThat(ControllerReply.decodeAclResults(GOLDEN.read(c.name()).bytes("entry"))).isEqualTo(c.record());
    }

    @Test
    void everyStoredFixtureIsCheckedByACase() {
        TreeSet<String> names = replyCases().stream().map(GoldenCase::name)
                .collect(Collectors.toCollection(TreeSet::new));
        partitionErrorCases().forEach(c -> names.add(c.name()));
        userErrorCases().forEach(c -> names.add(c.name()));
        aclResultCases().forEach(c -> names.add(c.name()));
        names.addAll(List.of("long-v0", "string-v0"));

        assertThat(GOLDEN.names()).isSubsetOf(names);
    }
}
