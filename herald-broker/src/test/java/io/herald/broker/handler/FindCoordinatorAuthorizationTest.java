package io.herald.broker.handler;

import static io.herald.broker.handler.AuthorizedCalls.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.broker.coordinator.FindCoordinatorHandler;
import io.herald.broker.coordinator.InternalTopicCreator;
import io.herald.broker.security.Authorization;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** FindCoordinator with Kafka's ACL rules: per group and transactional id key, and for share keys on the cluster. */
class FindCoordinatorAuthorizationTest {
    private static final Uuid OFFSETS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid TXN_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private static final Uuid SHARE_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw");

    private final AuthorizedCalls calls = new AuthorizedCalls();
    private final ClusterImage image = new ClusterImage("c", 1,
            Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, Optional.empty())),
            Map.of(Topic.GROUP_METADATA_TOPIC_NAME, topic(Topic.GROUP_METADATA_TOPIC_NAME, OFFSETS_ID),
                    Topic.TRANSACTION_STATE_TOPIC_NAME, topic(Topic.TRANSACTION_STATE_TOPIC_NAME, TXN_ID),
                    Topic.SHARE_GROUP_STATE_TOPIC_NAME, topic(Topic.SHARE_GROUP_STATE_TOPIC_NAME, SHARE_ID)),
            Map.of(OFFSETS_ID, Topic.GROUP_METADATA_TOPIC_NAME, TXN_ID, Topic.TRANSACTION_STATE_TOPIC_NAME,
                    SHARE_ID, Topic.SHARE_GROUP_STATE_TOPIC_NAME), Map.of(), 0);
    private final FindCoordinatorHandler handler;

    FindCoordinatorAuthorizationTest() {
        Supplier<ClusterImage> images = () -> image;
        handler = new FindCoordinatorHandler(Map.of(
                CoordinatorType.GROUP, placement(images, Topic.GROUP_METADATA_TOPIC_NAME),
                CoordinatorType.TRANSACTION, placement(images, Topic.TRANSACTION_STATE_TOPIC_NAME),
                CoordinatorType.SHARE, placement(images, Topic.SHARE_GROUP_STATE_TOPIC_NAME)), images,
                calls.authorization);
    }

    private static TopicImage topic(String name, Uuid id) {
        return new TopicImage(name, id, new TreeMap<>(Map.of(0, new PartitionImage(0, List.of(1), List.of(1), 1, 1,
                0))), Map.of());
    }

    private static FindCoordinatorHandler.Placement placement(Supplier<ClusterImage> images, String topic) {
        InternalTopicCreator exists = new InternalTopicCreator(images, (name, partitions, rf, configs) -> {
            throw new AssertionError("the topic exists");
        }, new InternalTopicCreator.Spec(topic, 1, 1, "replication.factor", Map.of()), Runnable::run);
        return new FindCoordinatorHandler.Placement(exists, key -> 0);
    }

    private FindCoordinatorResponseData find(CoordinatorType type, short version, String... keys) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType(type.id());
        if (version < 4) {
            data.setKey(keys[0]);
        } else {
            data.setCoordinatorKeys(List.of(keys));
        }
        return calls.answer(handler.api().handler(), data, version);
    }

    @Test
    void groupKeysNeedDescribeOnTheGroup() {
        calls.grants.allow(ALICE, ResourceType.GROUP, "mine", AclOperation.DESCRIBE);

        FindCoordinatorResponseData r = find(CoordinatorType.GROUP, (short) 4, "mine", "theirs");

        assertThat(r.coordinators()).extracting(c -> c.key(), c -> c.errorCode(), c -> c.nodeId()).containsExactly(
                tuple("mine", Errors.NONE.code(), 1), tuple("theirs", Errors.GROUP_AUTHORIZATION_FAILED.code(), -1));
    }

    @Test
    void aSingleRefusedKeyOfAnOldVersionIsTheTopLevelErrorWithItsMessage() {
        FindCoordinatorResponseData r = find(CoordinatorType.TRANSACTION, (short) 3, "tx");

        assertThat(r.errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        assertThat(r.errorMessage()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.message());
        assertThat(r.nodeId()).isEqualTo(-1);
    }

    @Test
    void transactionalIdKeysNeedDescribeOnTheTransactionalId() {
        calls.grants.allow(ALICE, ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.DESCRIBE);

        FindCoordinatorResponseData r = find(CoordinatorType.TRANSACTION, (short) 5, "tx", "other");

        assertThat(r.coordinators()).extracting(c -> c.key(), c -> c.errorCode()).containsExactly(
                tuple("tx", Errors.NONE.code()), tuple("other", Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void shareKeysNeedClusterActionOrTheWholeRequestIsRefused() {
        String key = "g:" + Uuid.randomUuid() + ":0";
        calls.grants.allow(ALICE, ResourceType.GROUP, "g", AclOperation.DESCRIBE);

        FindCoordinatorResponseData refused = find(CoordinatorType.SHARE, (short) 6, key);
        assertThat(refused.coordinators()).extracting(c -> c.errorCode())
                .containsExactly(Errors.CLUSTER_AUTHORIZATION_FAILED.code());

        calls.grants.allow(ALICE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CLUSTER_ACTION);
        FindCoordinatorResponseData allowed = find(CoordinatorType.SHARE, (short) 6, key);
        assertThat(allowed.coordinators()).extracting(c -> c.errorCode()).containsExactly(Errors.NONE.code());
    }
}
