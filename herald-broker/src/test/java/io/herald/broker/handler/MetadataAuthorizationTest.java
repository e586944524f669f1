package io.herald.broker.handler;

import static io.herald.broker.handler.AuthorizedCalls.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.security.Authorization;
import io.herald.metadata.controller.ControllerSettings;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Metadata and DescribeTopicPartitions with Kafka's ACL rules, against a real controller on an in-memory quorum
 * with the topics {@code orders} and {@code secret} and auto-creation on.
 */
class MetadataAuthorizationTest {
    private static final int NO_OPERATIONS = Integer.MIN_VALUE;

    private final AuthorizedCalls calls = new AuthorizedCalls();
    private MetadataController controller;
    private Uuid secretId;

    @BeforeEach
    void start() throws Exception {
        controller = MetadataController.start(LocalMetadataQuorum.inMemory(1), ControllerSettings.defaults(1), "c");
        controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty(), controller.incarnationId());
        controller.createTopic("orders", 2, 1, Map.of(), false);
        secretId = controller.createTopic("secret", 1, 1, Map.of(), false).topicId();
    }

    @AfterEach
    void stop() throws Exception {
        controller.close();
    }

    private MetadataHandler metadata() {
        return new MetadataHandler(controller, controller, new MetadataHandler.Settings(1, true, 1, (short) 1),
                Runnable::run, calls.authorization);
    }

    private MetadataResponseData metadata(MetadataRequestData data, short version) {
        return calls.answer(metadata().api().handler(), data, version);
    }

    private static MetadataRequestData named(String... topics) {
        return new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(
                java.util.Arrays.stream(topics).map(t -> new MetadataRequestTopic().setName(t)).toList());
    }

    @Test
    void allTopicsLeavesOutTheTopicsThePrincipalMayNotDescribe() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);

        MetadataResponseData r = metadata(new MetadataRequestData().setTopics(null), (short) 12);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.errorCode())
                .containsExactly(tuple("orders", Errors.NONE.code()));
    }

    @Test
    void aNamedTopicThePrincipalMayNotDescribeIsRefusedWithoutItsIdOrPartitions() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);

        MetadataResponseData r = metadata(named("orders", "secret"), (short) 12);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.errorCode(), t -> t.topicId(),
                t -> t.partitions().size()).containsExactly(tuple("orders", Errors.NONE.code(),
                controller.image().topic("orders").orElseThrow().topicId(), 2),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), Uuid.ZERO_UUID, 0));
    }

    @Test
    void aTopicAskedForByIdIsRefusedWithItsIdAndNoName() {
        MetadataResponseData r = metadata(new MetadataRequestData().setTopics(List.of(
                new MetadataRequestTopic().setName(null).setTopicId(secretId))), (short) 12);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.topicId(), t -> t.errorCode())
                .containsExactly(tuple(null, secretId, Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void autoCreationNeedsCreateOnTheClusterOrOnTheTopic() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "fresh", AclOperation.DESCRIBE);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "other", AclOperation.DESCRIBE, AclOperation.CREATE);

        MetadataResponseData r = metadata(named("fresh", "other"), (short) 12);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.errorCode()).containsExactly(
                tuple("fresh", Errors.TOPIC_AUTHORIZATION_FAILED.code()), tuple("other", Errors.NONE.code()));
        assertThat(controller.image().topic("fresh")).isEmpty();
        assertThat(controller.image().topic("other")).isPresent();

        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CREATE);
        assertThat(metadata(named("fresh"), (short) 12).topics().iterator().next().errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    @Test
    void aMissingTopicThatIsNotAutoCreatedNeedsNoCreate() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "fresh", AclOperation.DESCRIBE);

        MetadataResponseData r = metadata(named("fresh").setAllowAutoTopicCreation(false), (short) 12);

        assertThat(r.topics().iterator().next().errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void authorizedOperationsAreGivenWhenAskedAsKafkaComputesThem() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE, AclOperation.READ);
        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.DESCRIBE,
                AclOperation.IDEMPOTENT_WRITE);

        MetadataResponseData r = metadata(named("orders", "secret").setIncludeTopicAuthorizedOperations(true)
                .setIncludeClusterAuthorizedOperations(true), (short) 10);

        assertThat(r.clusterAuthorizedOperations()).isEqualTo(Utils.to32BitField(Set.of(
                AclOperation.DESCRIBE.code(), AclOperation.IDEMPOTENT_WRITE.code())));
        assertThat(r.topics()).extracting(t -> t.name(), t -> t.topicAuthorizedOperations()).containsExactly(
                tuple("orders", Utils.to32BitField(Set.of(AclOperation.DESCRIBE.code(), AclOperation.READ.code()))),
                tuple("secret", NO_OPERATIONS));
    }

    @Test
    void theClusterOperationsOfAPrincipalThatMayNotDescribeTheClusterAreNone() {
        MetadataResponseData r = metadata(named().setIncludeClusterAuthorizedOperations(true), (short) 10);

        assertThat(r.clusterAuthorizedOperations()).isZero();
    }

    @Test
    void withoutAskingNoOperationsAreComputed() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);

        MetadataResponseData r = metadata(named("orders"), (short) 12);

        assertThat(r.topics().iterator().next().topicAuthorizedOperations()).isEqualTo(NO_OPERATIONS);
        assertThat(r.clusterAuthorizedOperations()).isEqualTo(NO_OPERATIONS);
    }

    private DescribeTopicPartitionsResponseData describe(DescribeTopicPartitionsRequestData data) {
        return calls.answer(new DescribeTopicPartitionsHandler(controller, 2000, calls.authorization).api().handler(),
                data, (short) 0);
    }

    @Test
    void describeTopicPartitionsRefusesNamedTopicsAfterThePageAndLeavesThemOutOfAnAllTopicsAnswer() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);

        DescribeTopicPartitionsResponseData named = describe(new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(1).setTopics(List.of(
                        new DescribeTopicPartitionsRequestData.TopicRequest().setName("secret"),
                        new DescribeTopicPartitionsRequestData.TopicRequest().setName("orders"))));

        // The refused topic does not count against the page: orders' first partition fills it, and comes first.
        assertThat(named.topics()).extracting(t -> t.name(), t -> t.errorCode(), t -> t.partitions().size(),
                t -> t.topicAuthorizedOperations()).containsExactly(
                tuple("orders", Errors.NONE.code(), 1, Utils.to32BitField(Set.of(AclOperation.DESCRIBE.code()))),
                tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), 0, NO_OPERATIONS));
        assertThat(named.nextCursor().topicName()).isEqualTo("orders");
        assertThat(named.nextCursor().partitionIndex()).isEqualTo(1);

        DescribeTopicPartitionsResponseData all = describe(new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(100));
        assertThat(all.topics()).extracting(t -> t.name()).containsExactly("orders");
    }
}
