package io.herald.broker.handler;

import static io.herald.broker.handler.AuthorizedCalls.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.StaticBrokerConfigs;
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
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin APIs (topics, configs, cluster, reassignments, quorum, features) with Kafka's ACL rules, against a real
 * controller on an in-memory quorum with the topics {@code orders} and {@code secret}.
 */
class AdminAuthorizationTest {
    private final AuthorizedCalls calls = new AuthorizedCalls();
    private MetadataController controller;
    private Uuid secretId;

    @BeforeEach
    void start() throws Exception {
        controller = MetadataController.start(LocalMetadataQuorum.inMemory(1), ControllerSettings.defaults(1), "c");
        controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty(), controller.incarnationId());
        controller.createTopic("orders", 1, 1, Map.of(), false);
        secretId = controller.createTopic("secret", 1, 1, Map.of(), false).topicId();
    }

    @AfterEach
    void stop() throws Exception {
        controller.close();
    }

    private void allowCluster(AclOperation... operations) {
        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, operations);
    }

    // ---- topics ----

    private TopicsHandler topics() {
        return new TopicsHandler(controller, controller, new TopicsHandler.Settings(1, (short) 1, true, Map.of()),
                Runnable::run, calls.authorization);
    }

    private static CreateTopicsRequestData create(String... names) {
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        for (String name : names) {
            data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(1)
                    .setReplicationFactor((short) 1));
        }
        return data;
    }

    @Test
    void createTopicsNeedsCreateOnTheTopicAndShowsConfigsOnlyWithDescribeConfigs() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "a", AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "b", AclOperation.CREATE);

        CreateTopicsResponseData r = calls.answer(topics().createTopics().handler(), create("a", "b", "c"), (short) 7);

        assertThat(r.topics()).extracting(t -> t.name(), t -> t.errorCode(), t -> t.topicConfigErrorCode(),
                t -> t.numPartitions(), t -> t.configs().isEmpty()).containsExactly(
                tuple("a", Errors.NONE.code(), Errors.NONE.code(), 1, false),
                tuple("b", Errors.NONE.code(), Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1, true),
                tuple("c", Errors.TOPIC_AUTHORIZATION_FAILED.code(), Errors.NONE.code(), -1, true));
        assertThat(r.topics().find("c").errorMessage()).isEqualTo("Authorization failed.");
        assertThat(controller.image().topic("b")).isPresent();
        assertThat(controller.image().topic("c")).isEmpty();
    }

    @Test
    void createOnTheClusterAllowsEveryTopic() {
        allowCluster(AclOperation.CREATE);

        CreateTopicsResponseData r = calls.answer(topics().createTopics().handler(), create("c"), (short) 7);

        assertThat(r.topics().find("c").errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void deleteTopicsHidesTopicsThePrincipalMayNotDescribe() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE);
        calls.grants.allow(ALICE, ResourceType.TOPIC, "ghost", AclOperation.DESCRIBE);
        DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(5000).setTopics(List.of(
                new DeleteTopicsRequestData.DeleteTopicState().setName("orders"),
                new DeleteTopicsRequestData.DeleteTopicState().setName("secret"),
                new DeleteTopicsRequestData.DeleteTopicState().setName("ghost"),
                new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(secretId)));

        DeleteTopicsResponseData r = calls.answer(topics().deleteTopics().handler(), data, (short) 6);

        assertThat(r.responses()).extracting(t -> t.name(), t -> t.topicId(), t -> t.errorCode())
                .containsExactlyInAnyOrder(
                        // Describable, not deletable.
                        tuple("orders", Uuid.ZERO_UUID, Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                        // Not describable: refused whether it exists or not; by id, without its name.
                        tuple("secret", Uuid.ZERO_UUID, Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                        tuple(null, secretId, Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                        // Describable and missing: that can be told.
                        tuple("ghost", Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
        assertThat(controller.image().topic("orders")).isPresent();
    }

    @Test
    void deleteTopicsDeletesWithDeleteOnTheTopicOrTheCluster() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE, AclOperation.DELETE);
        DeleteTopicsResponseData r = calls.answer(topics().deleteTopics().handler(),
                new DeleteTopicsRequestData().setTopicNames(List.of("orders")), (short) 5);
        assertThat(r.responses().find("orders").errorCode()).isEqualTo(Errors.NONE.code());

        allowCluster(AclOperation.DELETE);
        r = calls.answer(topics().deleteTopics().handler(),
                new DeleteTopicsRequestData().setTopicNames(List.of("secret")), (short) 5);
        assertThat(r.responses().find("secret").errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void createPartitionsNeedsAlterOnTheTopic() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.ALTER);
        CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(5000);
        data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("orders").setCount(2)
                .setAssignments(null));
        data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("secret").setCount(2)
                .setAssignments(null));

        CreatePartitionsResponseData r = calls.answer(topics().createPartitions().handler(), data, (short) 3);

        assertThat(r.results()).extracting(t -> t.name(), t -> t.errorCode()).containsExactly(
                tuple("orders", Errors.NONE.code()), tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        assertThat(controller.image().topic("secret").orElseThrow().partitions()).hasSize(1);
    }

    // ---- configs ----

    private ConfigsHandler configs() {
        StaticBrokerConfigs none = new StaticBrokerConfigs() {
            @Override
            public Map<String, String> originals() {
                return Map.of();
            }

            @Override
            public Map<String, String> effectiveValues() {
                return Map.of();
            }
        };
        return new ConfigsHandler(controller, controller, none, 1, Runnable::run, Map::of, calls.authorization);
    }

    private static DescribeConfigsRequestData.DescribeConfigsResource resource(ConfigResource.Type type, String name) {
        return new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type.id())
                .setResourceName(name).setConfigurationKeys(null);
    }

    @Test
    void describeConfigsNeedsDescribeConfigsOnEachResource() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.DESCRIBE_CONFIGS);
        DescribeConfigsRequestData data = new DescribeConfigsRequestData().setResources(List.of(
                resource(ConfigResource.Type.TOPIC, "orders"), resource(ConfigResource.Type.TOPIC, "secret"),
                resource(ConfigResource.Type.BROKER, "1"), resource(ConfigResource.Type.GROUP, "g")));

        DescribeConfigsResponseData r = calls.answer(configs().describeConfigs().handler(), data, (short) 4);

        assertThat(r.results()).extracting(t -> t.resourceName(), t -> t.errorCode(), t -> t.configs().isEmpty())
                .containsExactly(tuple("orders", Errors.NONE.code(), false),
                        tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code(), true),
                        tuple("1", Errors.CLUSTER_AUTHORIZATION_FAILED.code(), true),
                        tuple("g", Errors.GROUP_AUTHORIZATION_FAILED.code(), true));
        assertThat(r.results().get(1).errorMessage()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.message());
    }

    @Test
    void incrementalAlterConfigsNeedsAlterConfigsOnEachResource() {
        calls.grants.allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.ALTER_CONFIGS);
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
        for (String topic : List.of("orders", "secret")) {
            data.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic)
                    .setConfigs(new IncrementalAlterConfigsRequestData.AlterableConfigCollection(List.of(
                            new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                                    .setValue("1000").setConfigOperation((byte) 0)).iterator())));
        }
        data.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER_LOGGER.id()).setResourceName("1"));

        IncrementalAlterConfigsResponseData r = calls.answer(configs().incrementalAlterConfigs().handler(), data,
                (short) 1);

        assertThat(r.responses()).extracting(t -> t.resourceName(), t -> t.errorCode()).containsExactly(
                tuple("orders", Errors.NONE.code()), tuple("secret", Errors.TOPIC_AUTHORIZATION_FAILED.code()),
                tuple("1", Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        assertThat(controller.image().topic("orders").orElseThrow().configs()).containsEntry("retention.ms", "1000");
        assertThat(controller.image().topic("secret").orElseThrow().configs()).isEmpty();
    }

    @Test
    void alterConfigsOfABrokerNeedsAlterConfigsOnTheCluster() {
        AlterConfigsRequestData data = new AlterConfigsRequestData();
        data.resources().add(new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName(""));

        AlterConfigsResponseData refused = calls.answer(configs().alterConfigs().handler(), data, (short) 2);
        assertThat(refused.responses().get(0).errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());

        allowCluster(AclOperation.ALTER_CONFIGS);
        AlterConfigsResponseData allowed = calls.answer(configs().alterConfigs().handler(), data, (short) 2);
        assertThat(allowed.responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void listConfigResourcesNeedsDescribeConfigsOnTheCluster() {
        ListConfigResourcesResponseData refused = calls.answer(configs().listConfigResources().handler(),
                new ListConfigResourcesRequestData(), (short) 1);
        assertThat(refused.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(refused.configResources()).isEmpty();

        allowCluster(AclOperation.DESCRIBE_CONFIGS);
        ListConfigResourcesResponseData allowed = calls.answer(configs().listConfigResources().handler(),
                new ListConfigResourcesRequestData(), (short) 1);
        assertThat(allowed.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(allowed.configResources()).extracting(c -> c.resourceName()).contains("orders", "secret");
    }

    // ---- cluster, reassignments, quorum, features ----

    @Test
    void describeClusterIsOpenButGivesItsOperationsOnlyToWhoMayDescribeTheCluster() {
        ClusterHandler cluster = new ClusterHandler(controller, null, 1, Runnable::run, calls.authorization);
        DescribeClusterRequestData data = new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true);

        DescribeClusterResponseData refused = calls.answer(cluster.describeCluster().handler(), data, (short) 1);
        assertThat(refused.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(refused.brokers()).isNotEmpty();
        assertThat(refused.clusterAuthorizedOperations()).isZero();

        allowCluster(AclOperation.DESCRIBE, AclOperation.ALTER);
        DescribeClusterResponseData allowed = calls.answer(cluster.describeCluster().handler(), data, (short) 1);
        assertThat(allowed.clusterAuthorizedOperations()).isEqualTo(Utils.to32BitField(Set.of(
                AclOperation.DESCRIBE.code(), AclOperation.ALTER.code())));
    }

    @Test
    void describeLogDirsNeedsDescribeOnTheCluster() {
        ClusterHandler cluster = new ClusterHandler(controller, null, 1, Runnable::run, calls.authorization);

        DescribeLogDirsResponseData r = calls.answer(cluster.describeLogDirs().handler(),
                new DescribeLogDirsRequestData().setTopics(null), (short) 4);

        assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(r.results()).isEmpty();
    }

    @Test
    void reassignmentsAndElectionsNeedAlterOrDescribeOnTheCluster() {
        ReassignmentHandler handler = new ReassignmentHandler(controller, controller, Runnable::run,
                calls.authorization);
        AlterPartitionReassignmentsRequestData alter = new AlterPartitionReassignmentsRequestData().setTopics(List.of(
                new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("orders").setPartitions(List.of(
                        new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0)
                                .setReplicas(List.of(1))))));

        AlterPartitionReassignmentsResponseData altered = calls.answer(
                handler.alterPartitionReassignments().handler(), alter, (short) 0);
        assertThat(altered.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(altered.responses().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(altered.errorMessage()).contains("needs ALTER permission");

        ListPartitionReassignmentsResponseData listed = calls.answer(handler.listPartitionReassignments().handler(),
                new ListPartitionReassignmentsRequestData().setTopics(null), (short) 0);
        assertThat(listed.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());

        ElectLeadersResponseData elected = calls.answer(handler.electLeaders().handler(),
                new ElectLeadersRequestData().setTopicPartitions(null), (short) 2);
        assertThat(elected.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());

        allowCluster(AclOperation.DESCRIBE);
        listed = calls.answer(handler.listPartitionReassignments().handler(),
                new ListPartitionReassignmentsRequestData().setTopics(null), (short) 0);
        assertThat(listed.errorCode()).isEqualTo(Errors.NONE.code());
        altered = calls.answer(handler.alterPartitionReassignments().handler(), alter, (short) 0);
        assertThat(altered.errorCode()).as("DESCRIBE is not ALTER")
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    @Test
    void describeQuorumNeedsDescribeOnTheCluster() {
        QuorumHandler handler = new QuorumHandler(controller, Map.of(), "CONTROLLER", calls.authorization);
        DescribeQuorumRequestData data = new DescribeQuorumRequestData().setTopics(List.of(
                new DescribeQuorumRequestData.TopicData().setTopicName(QuorumHandler.METADATA_TOPIC).setPartitions(
                        List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0)))));

        DescribeQuorumResponseData refused = calls.answer(handler.describeQuorum().handler(), data, (short) 2);
        assertThat(refused.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(refused.topics()).isEmpty();

        allowCluster(AclOperation.DESCRIBE);
        DescribeQuorumResponseData allowed = calls.answer(handler.describeQuorum().handler(), data, (short) 2);
        assertThat(allowed.errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void updateFeaturesNeedsAlterOnTheCluster() {
        FeaturesHandler handler = new FeaturesHandler(controller, 1, Runnable::run, calls.authorization);

        UpdateFeaturesResponseData r = calls.answer(handler.updateFeatures().handler(),
                new UpdateFeaturesRequestData().setTimeoutMs(1000), (short) 1);

        assertThat(r.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(r.results()).isEmpty();
    }
}
