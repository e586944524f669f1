package io.herald.broker.group.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.security.Authorization;
import io.herald.broker.security.GrantsAuthorizer;
import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.config.ConfigValues;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.runtime.MemoryLog;
import io.herald.coordinator.share.InMemoryShareStatePersister;
import io.herald.group.GroupConfig;
import io.herald.group.GroupCoordinator;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import io.herald.group.record.GroupCoordinatorRecord;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The group handlers' world for ACL tests: a group coordinator on a manual loop, clock and in-memory
 * {@code __consumer_offsets} of one partition (led here), a metadata image with the topics {@code orders} (two
 * partitions) and {@code secret} (one), and a {@link GrantsAuthorizer} that denies what no test granted. Requests
 * come from {@link #ALICE} (the principal under test) or {@link #ADMIN} (granted everything a test sets up with).
 */
final class GroupHandlerFixture {
    static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    static final KafkaPrincipal ADMIN = new KafkaPrincipal("User", "admin");
    static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    static final Uuid SECRET_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");

    final ManualTime time = new ManualTime();
    final ManualTimer timer = new ManualTimer(time);
    final ManualExecutor loop = new ManualExecutor();
    final MemoryLog<GroupCoordinatorRecord> log = new MemoryLog<>(timer);
    final InMemoryShareStatePersister persister = new InMemoryShareStatePersister();
    final GroupCoordinator coordinator;
    final ClusterImage image;
    final GrantsAuthorizer grants = new GrantsAuthorizer();
    final Authorization authorization = new Authorization(grants);
    private int correlation;

    GroupHandlerFixture() {
        GroupConfig config = GroupConfig.from(ConfigValues.parse(GroupConfig.CONFIG_DEF, Map.of(
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "1", GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0")));
        GroupConfigView shareConfigs = GroupConfigView.fixed(new ShareGroupSettings(45_000, 5_000, 200, 30_000, 5,
                2000, new ShareAutoOffsetReset.Earliest(), IsolationLevel.READ_UNCOMMITTED, true, Optional.empty(),
                false, 0, 60_000, 2.0));
        coordinator = GroupCoordinator.onLoop(config, log, time, timer, persister, shareConfigs, loop);
        coordinator.onBecomeLeader(0, 1);
        loop.runAll();
        image = new ClusterImage("c", 1, Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, Optional.empty())),
                Map.of("orders", topic("orders", ORDERS_ID, 2), "secret", topic("secret", SECRET_ID, 1)),
                Map.of(ORDERS_ID, "orders", SECRET_ID, "secret"), Map.of(), 0);
    }

    private static TopicImage topic(String name, Uuid id, int partitions) {
        TreeMap<Integer, PartitionImage> images = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            images.put(p, new PartitionImage(p, List.of(1), List.of(1), 1, 1, 0));
        }
        return new TopicImage(name, id, images, Map.of());
    }

    /** {@code data} as a request body of {@code version}, through its wire form (as the broker receives it). */
    static AbstractRequest body(ApiMessage data, short version) {
        return AbstractRequest.parseRequest(ApiKeys.forId(data.apiKey()), version,
                MessageUtil.toByteBufferAccessor(data, version)).request;
    }

    KafkaRequest request(KafkaPrincipal principal, AbstractRequest body) {
        return new KafkaRequest(new RequestHeader(body.apiKey(), body.version(), "client", correlation++), body, 100,
                new InetSocketAddress("127.0.0.1", 40000), System.nanoTime(),
                new ConnectionContext("PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT, principal));
    }

    /** Creates the simple (assign()) group {@code group} by committing an offset of {@code orders}, unchecked. */
    void simpleGroup(String group) {
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)));
        OffsetCommitResponseData r = answer(new GroupOffsetsHandler(coordinator, () -> image, Authorization.ALLOW_ALL)
                .offsetCommit(), ADMIN, body(new OffsetCommitRequestData().setGroupId(group)
                .setGenerationIdOrMemberEpoch(-1).setTopics(List.of(topic)), (short) 9));
        assertThat(r.topics().get(0).partitions().get(0).errorCode()).isEqualTo((short) 0);
    }

    /** {@code api}'s answer to {@code body} from {@code principal}, once the coordinator has done its part. */
    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T answer(ServedApi api, KafkaPrincipal principal, AbstractRequest body) {
        CompletableFuture<Response> future = api.handler().handle(request(principal, body));
        for (int i = 0; i < 20 && !future.isDone(); i++) {
            loop.runAll();
            log.commit(0);
            timer.runDue();
        }
        assertThat(future).as("answered").isDone();
        return (T) ((Response.Send) future.join()).data();
    }
}
