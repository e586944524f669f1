package io.herald.broker.share.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.replica.ReplicationConfig;
import io.herald.broker.security.Authorization;
import io.herald.broker.security.GrantsAuthorizer;
import io.herald.broker.share.ArchiveReason;
import io.herald.broker.share.ArchivedRecords;
import io.herald.broker.share.DeadLetterQueue;
import io.herald.common.time.ManualTime;
import io.herald.common.time.Time;
import io.herald.common.timer.ManualTimer;
import io.herald.coordinator.share.InMemoryShareStatePersister;
import io.herald.group.config.GroupConfigView;
import io.herald.group.config.ShareAutoOffsetReset;
import io.herald.group.config.ShareGroupSettings;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.FileRegionRecords;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ShareFetch and ShareAcknowledge against a real replica manager and partition logs on disk, with a manual timer
 * and clock: Kafka 4.3.1's request checks and answers, long polling woken by appends, zero-copy records, leader
 * hints, session epochs and the release of a closing session's records.
 */
@Timeout(30)
class ShareHandlersTest {
    private static final String GROUP = "g";
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid ELSEWHERE_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private static final String MEMBER = "member-1";
    private static final String OTHER = "member-2";

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer(time);
    private final InMemoryShareStatePersister persister = new InMemoryShareStatePersister();
    private final List<ArchivedRecords> archived = new CopyOnWriteArrayList<>();
    private ShareGroupSettings settings = new ShareGroupSettings(45_000, 5_000, 200, 30_000, 2, 2000,
            new ShareAutoOffsetReset.Earliest(), org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED, true,
            Optional.empty(), false, 0, 60_000, 2.0);
    private LogManager logs;
    private ReplicaManager replicas;
    private ClusterImage image;
    private ShareApis apis;
    private int correlation;
    /** The listener the requests come in on. */
    private ConnectionContext connection = ConnectionContext.PLAINTEXT;
    /** The checks the handlers make: none, unless a test grants. */
    private Authorization authorization = Authorization.ALLOW_ALL;

    @BeforeEach
    void start() throws Exception {
        logs = new LogManager(List.of(dir), LogConfig.defaults(), LogManagerConfig.defaults(), Time.SYSTEM);
        logs.startup();
        replicas = new ReplicaManager(1, logs, ReplicationConfig.defaults(), Map.of(),
                (broker, topicId, partition, epoch, partitionEpoch, isr) -> new CompletableFuture<>(), time, timer);
        TreeMap<Integer, PartitionImage> mine = new TreeMap<>(Map.of(
                0, new PartitionImage(0, List.of(1), List.of(1), 1, 3, 0),
                1, new PartitionImage(1, List.of(1), List.of(1), 1, 3, 0)));
        TreeMap<Integer, PartitionImage> theirs = new TreeMap<>(Map.of(
                0, new PartitionImage(0, List.of(2), List.of(2), 2, 7, 0)));
        image = new ClusterImage("c", 1,
                Map.of(1, new BrokerImage(1, "127.0.0.1", 9092, Optional.empty()),
                        2, new BrokerImage(2, "127.0.0.2", 9093, Optional.of("rack-b"))),
                Map.of("orders", new TopicImage("orders", TOPIC_ID, mine, Map.of()),
                        "elsewhere", new TopicImage("elsewhere", ELSEWHERE_ID, theirs, Map.of())),
                Map.of(TOPIC_ID, "orders", ELSEWHERE_ID, "elsewhere"), Map.of(), 0);
        replicas.onImage(ClusterImage.empty("c"), image);
        GroupConfigView configs = groupId -> settings;
        apis = new ShareApis(replicas, () -> image, persister, configs, timer, time, Runnable::run,
                ShareApis.Options.defaults().withArchiveListener(archived::add));
    }

    @AfterEach
    void stop() {
        apis.close();
        replicas.close();
        logs.close();
    }

    private void produce(int partition, int n) {
        SimpleRecord[] records = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            records[i] = new SimpleRecord(time.milliseconds(), ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        replicas.partition(new TopicPartition("orders", partition)).orElseThrow()
                .appendRecordsToLeader(MemoryRecords.withRecords(Compression.NONE, records), 1, 1);
    }

    private KafkaRequest request(ApiKeys key, short version, org.apache.kafka.common.requests.AbstractRequest body) {
        return new KafkaRequest(new RequestHeader(key, version, "test", correlation++), body, 100,
                new InetSocketAddress("127.0.0.1", 40000), System.nanoTime(), connection);
    }

    private static ShareFetchRequestData fetchData(String member, int epoch, int... partitions) {
        ShareFetchRequestData.FetchTopic topic = new ShareFetchRequestData.FetchTopic().setTopicId(TOPIC_ID);
        for (int p : partitions) {
            topic.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(p));
        }
        ShareFetchRequestData.FetchTopicCollection topics = new ShareFetchRequestData.FetchTopicCollection();
        topics.add(topic);
        return new ShareFetchRequestData().setGroupId(GROUP).setMemberId(member).setShareSessionEpoch(epoch)
                .setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setMaxRecords(500).setBatchSize(500)
                .setTopics(topics);
    }

    private static ShareFetchRequestData withAck(ShareFetchRequestData data, int partition, long first, long last,
                                                 byte... types) {
        ShareFetchRequestData.FetchPartition p = data.topics().find(TOPIC_ID).partitions().stream()
                .filter(x -> x.partitionIndex() == partition).findFirst().orElseThrow();
        List<Byte> list = new ArrayList<>();
        for (byte t : types) {
            list.add(t);
        }
        p.acknowledgementBatches().add(new ShareFetchRequestData.AcknowledgementBatch().setFirstOffset(first)
                .setLastOffset(last).setAcknowledgeTypes(list));
        return data;
    }

    private CompletableFuture<Response> shareFetch(ShareFetchRequestData data, short version) {
        return apis.shareFetch(authorization).handler().handle(request(ApiKeys.SHARE_FETCH, version,
                new ShareFetchRequest(data, version)));
    }

    private ShareFetchResponseData fetch(ShareFetchRequestData data) {
        return (ShareFetchResponseData) sent(shareFetch(data, (short) 2));
    }

    private static ApiMessage sent(CompletableFuture<Response> future) {
        assertThat(future).as("answered").isDone();
        return ((Response.Send) future.join()).data();
    }

    private static ShareFetchResponseData.PartitionData partition(ShareFetchResponseData r, int p) {
        return partitionOf(r, TOPIC_ID, p);
    }

    private static ShareFetchResponseData.PartitionData partitionOf(ShareFetchResponseData r, Uuid topic, int p) {
        ShareFetchResponseData.ShareFetchableTopicResponse t = r.responses().find(topic);
        assertThat(t).as("topic %s answered", topic).isNotNull();
        return t.partitions().stream().filter(x -> x.partitionIndex() == p).findFirst().orElseThrow();
    }

    private static List<Long> offsets(ShareFetchResponseData.PartitionData pd) throws IOException {
        List<Long> out = new ArrayList<>();
        FileRegionRecords region = (FileRegionRecords) pd.records();
        ByteBuffer buf = ByteBuffer.allocate(region.sizeInBytes());
        while (buf.hasRemaining()) {
            region.channel().read(buf, region.position() + buf.position());
        }
        buf.flip();
        for (RecordBatch b : MemoryRecords.readableRecords(buf).batches()) {
            b.forEach(r -> out.add(r.offset()));
        }
        return out;
    }

    @Test
    void aFetchAcquiresRecordsAndSendsTheirBatchesAsFileRegions() throws Exception {
        produce(0, 3);
        produce(0, 2);

        ShareFetchResponseData r = fetch(fetchData(MEMBER, 0, 0));

        assertThat(r.errorCode()).isZero();
        assertThat(r.acquisitionLockTimeoutMs()).isEqualTo(30_000);
        ShareFetchResponseData.PartitionData pd = partition(r, 0);
        assertThat(pd.errorCode()).isZero();
        assertThat(pd.acquiredRecords()).singleElement().satisfies(a -> {
            assertThat(a.firstOffset()).isZero();
            assertThat(a.lastOffset()).isEqualTo(4);
            assertThat(a.deliveryCount()).isEqualTo((short) 1);
        });
        assertThat(pd.records()).isInstanceOf(FileRegionRecords.class);
        assertThat(offsets(pd)).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void piggybackedAcknowledgementsAreAnsweredWithTheNextFetch() {
        produce(0, 3);
        fetch(fetchData(MEMBER, 0, 0));

        ShareFetchResponseData r = fetch(withAck(fetchData(MEMBER, 1, 0), 0, 0, 2, (byte) 1));

        assertThat(partition(r, 0).acknowledgeErrorCode()).isZero();
        assertThat(apis.partitions().partitions()).singleElement()
                .satisfies(sp -> assertThat(sp.startOffset()).isEqualTo(3));
        assertThat(persister.readSummary(new io.herald.coordinator.share.SharePartitionKey(GROUP, TOPIC_ID, 0), 0)
                .join().startOffset()).isEqualTo(3);
    }

    @Test
    void anIncrementalFetchNamesOnlyPartitionsWithNews() {
        produce(0, 2);
        ShareFetchResponseData first = fetch(fetchData(MEMBER, 0, 0, 1));
        assertThat(first.responses().find(TOPIC_ID).partitions()).hasSize(2);

        ShareFetchResponseData second = fetch(fetchData(MEMBER, 1));
        assertThat(second.responses()).isEmpty();

        produce(1, 1);
        ShareFetchResponseData third = fetch(fetchData(MEMBER, 2));
        assertThat(third.responses().find(TOPIC_ID).partitions()).singleElement()
                .satisfies(pd -> assertThat(pd.partitionIndex()).isEqualTo(1));
    }

    @Test
    void aLongPollIsAnsweredByTheNextAppend() {
        ShareFetchRequestData data = fetchData(MEMBER, 0, 0).setMaxWaitMs(5000);
        CompletableFuture<Response> parked = shareFetch(data, (short) 2);
        assertThat(parked).isNotDone();

        produce(0, 4);

        ShareFetchResponseData r = (ShareFetchResponseData) sent(parked);
        assertThat(partition(r, 0).acquiredRecords()).singleElement()
                .satisfies(a -> assertThat(a.lastOffset()).isEqualTo(3));
    }

    @Test
    void aLongPollWithNothingToAcquireExpiresEmpty() {
        CompletableFuture<Response> parked = shareFetch(fetchData(MEMBER, 0, 0).setMaxWaitMs(5000), (short) 2);
        timer.advance(4999);
        assertThat(parked).isNotDone();

        timer.advance(1);

        ShareFetchResponseData r = (ShareFetchResponseData) sent(parked);
        assertThat(r.errorCode()).isZero();
        assertThat(partition(r, 0).acquiredRecords()).isEmpty();
    }

    @Test
    void aLongPollIsAnsweredWhenALockRunsOutAndRecordsComeBack() {
        produce(0, 2);
        fetch(fetchData(MEMBER, 0, 0));
        CompletableFuture<Response> parked = shareFetch(fetchData(OTHER, 0, 0).setMaxWaitMs(60_000), (short) 2);
        assertThat(parked).isNotDone();

        timer.advance(30_000);

        ShareFetchResponseData r = (ShareFetchResponseData) sent(parked);
        assertThat(partition(r, 0).acquiredRecords()).singleElement()
                .satisfies(a -> assertThat(a.deliveryCount()).isEqualTo((short) 2));
    }

    @Test
    void theRequestItselfIsCheckedFirst() {
        ShareFetchResponseData noGroup = fetch(fetchData(MEMBER, 0, 0).setGroupId(null));
        assertThat(noGroup.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(noGroup.errorMessage()).isEqualTo("Invalid group id in the request.");

        ShareFetchResponseData badMember = fetch(fetchData("x".repeat(37), 0, 0));
        assertThat(badMember.errorMessage()).isEqualTo("Invalid member id in the request.");

        ShareFetchResponseData renew = fetch(fetchData(MEMBER, 0, 0).setIsRenewAck(true).setMinBytes(0)
                .setMaxRecords(0).setMaxWaitMs(0));
        assertThat(renew.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(renew.errorMessage()).isEqualTo("maxBytes must be set to 0, if isRenewAck is true.");

        ShareFetchResponseData acksOnOpen = fetch(withAck(fetchData(MEMBER, 0, 0), 0, 0, 0, (byte) 1));
        assertThat(acksOnOpen.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());

        assertThat(fetch(fetchData(MEMBER, 3, 0)).errorCode()).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND.code());
        fetch(fetchData(MEMBER, 0, 0));
        assertThat(fetch(fetchData(MEMBER, 3, 0)).errorCode())
                .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH.code());
    }

    @Test
    void aFullSessionCacheAnswersOnlyAfterMaxWait() {
        apis.close();
        apis = new ShareApis(replicas, () -> image, persister, groupId -> settings, timer, time, Runnable::run,
                new ShareApis.Options(1, ShareApis.DEFAULT_FETCH_MAX_BYTES, archived::add,
                        DeadLetterQueue.NONE));
        fetch(fetchData(MEMBER, 0, 0));

        CompletableFuture<Response> refused = shareFetch(fetchData(OTHER, 0, 0).setMaxWaitMs(500), (short) 2);
        assertThat(refused).isNotDone();
        timer.advance(500);

        assertThat(((ShareFetchResponseData) sent(refused)).errorCode())
                .isEqualTo(Errors.SHARE_SESSION_LIMIT_REACHED.code());
    }

    @Test
    void badAcknowledgementBatchesFailTheirPartitionOnly() {
        produce(0, 4);
        produce(1, 4);
        fetch(fetchData(MEMBER, 0, 0, 1));

        ShareFetchRequestData data = fetchData(MEMBER, 1, 0, 1).setMaxRecords(0);
        withAck(data, 0, 2, 3, (byte) 1);
        withAck(data, 0, 0, 1, (byte) 1); // out of order
        withAck(data, 1, 0, 3, (byte) 1);
        ShareFetchResponseData r = (ShareFetchResponseData) sent(shareFetch(data, (short) 1));

        assertThat(partition(r, 0).acknowledgeErrorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(partition(r, 1).acknowledgeErrorCode()).isZero();
    }

    @Test
    void renewNeedsVersionTwoAndIsRenewAck() {
        produce(0, 2);
        fetch(fetchData(MEMBER, 0, 0));

        ShareFetchResponseData v1 = (ShareFetchResponseData) sent(shareFetch(
                withAck(fetchData(MEMBER, 1, 0), 0, 0, 1, (byte) 4), (short) 1));
        assertThat(partition(v1, 0).acknowledgeErrorCode()).isEqualTo(Errors.INVALID_REQUEST.code());

        ShareFetchResponseData v2 = fetch(withAck(fetchData(MEMBER, 2, 0).setIsRenewAck(true).setMaxBytes(0)
                .setMinBytes(0).setMaxRecords(0), 0, 0, 1, (byte) 4));
        assertThat(partition(v2, 0).acknowledgeErrorCode()).isZero();
        assertThat(partition(v2, 0).acquiredRecords()).as("a renew-only fetch fetches nothing").isEmpty();
    }

    @Test
    void aPartitionLedElsewhereIsNotLeaderWithTheCurrentLeadersEndpoint() {
        ShareFetchRequestData data = fetchData(MEMBER, 0);
        ShareFetchRequestData.FetchTopic topic = new ShareFetchRequestData.FetchTopic().setTopicId(ELSEWHERE_ID);
        topic.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        data.topics().add(topic);

        ShareFetchResponseData r = fetch(data);

        ShareFetchResponseData.PartitionData pd = partitionOf(r, ELSEWHERE_ID, 0);
        assertThat(pd.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(pd.currentLeader().leaderId()).isEqualTo(2);
        assertThat(pd.currentLeader().leaderEpoch()).isEqualTo(7);
        assertThat(r.nodeEndpoints()).singleElement().satisfies(n -> {
            assertThat(n.nodeId()).isEqualTo(2);
            assertThat(n.host()).isEqualTo("127.0.0.2");
            assertThat(n.rack()).isEqualTo("rack-b");
        });
    }

    @Test
    void theCurrentLeadersEndpointIsTheOneOfTheRequestsListener() {
        BrokerImage other = image.brokers().get(2).withEndpoints(List.of(
                new Endpoint("PLAINTEXT", "127.0.0.2", 9093, SecurityProtocol.PLAINTEXT),
                new Endpoint("EXTERNAL", "b2.example", 19093, SecurityProtocol.SASL_SSL)));
        Map<Integer, BrokerImage> brokers = new java.util.HashMap<>(image.brokers());
        brokers.put(2, other);
        image = new ClusterImage(image.clusterId(), image.offset() + 1, brokers, image.topics(),
                image.topicNamesById(), image.brokerConfigs(), image.nextProducerId());
        ShareFetchRequestData.FetchTopic topic = new ShareFetchRequestData.FetchTopic().setTopicId(ELSEWHERE_ID);
        topic.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));

        connection = new ConnectionContext("EXTERNAL", SecurityProtocol.SASL_SSL, KafkaPrincipal.ANONYMOUS);
        ShareFetchRequestData external = fetchData(MEMBER, 0);
        external.topics().add(topic.duplicate());
        ShareFetchResponseData r = fetch(external);
        assertThat(r.nodeEndpoints()).singleElement().satisfies(n -> {
            assertThat(n.host()).isEqualTo("b2.example");
            assertThat(n.port()).isEqualTo(19093);
        });

        // A listener broker 2 has no endpoint on: the leader is named, but with no address to go to.
        connection = new ConnectionContext("INTERNAL", SecurityProtocol.PLAINTEXT, KafkaPrincipal.ANONYMOUS);
        ShareFetchRequestData internal = fetchData(OTHER, 0);
        internal.topics().add(topic.duplicate());
        ShareFetchResponseData none = fetch(internal);
        assertThat(partitionOf(none, ELSEWHERE_ID, 0).currentLeader().leaderId()).isEqualTo(2);
        assertThat(none.nodeEndpoints()).isEmpty();
    }

    @Test
    void unknownTopicsArePerPartitionErrors() {
        ShareFetchRequestData data = fetchData(MEMBER, 0, 0, 9);
        ShareFetchRequestData.FetchTopic unknown = new ShareFetchRequestData.FetchTopic()
                .setTopicId(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw"));
        unknown.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        data.topics().add(unknown);

        ShareFetchResponseData r = fetch(data);

        assertThat(partition(r, 9).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(partitionOf(r, Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw"), 0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
    }

    private ShareAcknowledgeResponseData acknowledge(String member, int epoch, int partition, long first, long last,
                                                     byte type) {
        ShareAcknowledgeRequestData.AcknowledgePartition p = new ShareAcknowledgeRequestData.AcknowledgePartition()
                .setPartitionIndex(partition);
        p.acknowledgementBatches().add(new ShareAcknowledgeRequestData.AcknowledgementBatch().setFirstOffset(first)
                .setLastOffset(last).setAcknowledgeTypes(List.of(type)));
        ShareAcknowledgeRequestData.AcknowledgeTopic topic = new ShareAcknowledgeRequestData.AcknowledgeTopic()
                .setTopicId(TOPIC_ID);
        topic.partitions().add(p);
        ShareAcknowledgeRequestData.AcknowledgeTopicCollection topics =
                new ShareAcknowledgeRequestData.AcknowledgeTopicCollection();
        topics.add(topic);
        ShareAcknowledgeRequestData data = new ShareAcknowledgeRequestData().setGroupId(GROUP).setMemberId(member)
                .setShareSessionEpoch(epoch).setTopics(topics);
        return (ShareAcknowledgeResponseData) sent(apis.shareAcknowledge(authorization).handler().handle(request(
                ApiKeys.SHARE_ACKNOWLEDGE, (short) 2, new ShareAcknowledgeRequest(data, (short) 2))));
    }

    private static short ackError(ShareAcknowledgeResponseData r, int partition) {
        return r.responses().find(TOPIC_ID).partitions().stream().filter(p -> p.partitionIndex() == partition)
                .findFirst().orElseThrow().errorCode();
    }

    @Test
    void shareAcknowledgeAppliesAndMovesTheSessionEpoch() {
        produce(0, 3);
        fetch(fetchData(MEMBER, 0, 0));

        ShareAcknowledgeResponseData r = acknowledge(MEMBER, 1, 0, 0, 2, (byte) 3);

        assertThat(r.errorCode()).isZero();
        assertThat(r.acquisitionLockTimeoutMs()).isEqualTo(30_000);
        assertThat(ackError(r, 0)).isZero();
        assertThat(archived).containsExactly(new ArchivedRecords(GROUP,
                new org.apache.kafka.common.TopicIdPartition(TOPIC_ID, 0, "orders"), 0, 2, 1, ArchiveReason.REJECTED));
        assertThat(apis.sessions().epoch(GROUP, MEMBER)).contains(2);
        assertThat(acknowledge(MEMBER, 1, 0, 0, 2, (byte) 1).errorCode())
                .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH.code());
        assertThat(acknowledge(MEMBER, 0, 0, 0, 2, (byte) 1).errorCode())
                .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH.code());
    }

    @Test
    void acknowledgingRecordsHeldByAnotherMemberIsInvalidRecordState() {
        produce(0, 3);
        fetch(fetchData(MEMBER, 0, 0));
        fetch(fetchData(OTHER, 0, 0));

        assertThat(ackError(acknowledge(OTHER, 1, 0, 0, 2, (byte) 1), 0))
                .isEqualTo(Errors.INVALID_RECORD_STATE.code());
    }

    @Test
    void theFinalEpochEndsTheSessionAndReleasesItsRecords() {
        produce(0, 3);
        fetch(fetchData(MEMBER, 0, 0));

        ShareAcknowledgeResponseData r = acknowledge(MEMBER, -1, 0, 0, 0, (byte) 1);

        assertThat(ackError(r, 0)).isZero();
        assertThat(apis.sessions().epoch(GROUP, MEMBER)).isEmpty();
        ShareFetchResponseData again = fetch(fetchData(OTHER, 0, 0));
        assertThat(partition(again, 0).acquiredRecords()).singleElement().satisfies(a -> {
            assertThat(a.firstOffset()).isEqualTo(1);
            assertThat(a.lastOffset()).isEqualTo(2);
            assertThat(a.deliveryCount()).as("a closing session's records").isEqualTo((short) 2);
        });
    }

    @Test
    void aClosedConnectionReleasesItsSessionsRecords() {
        produce(0, 2);
        fetch(fetchData(MEMBER, 0, 0));

        apis.onConnectionClosed(new InetSocketAddress("127.0.0.1", 40000).toString());

        assertThat(apis.sessions().size()).isZero();
        assertThat(apis.partitions().partitions()).as("the group has no session left").isEmpty();
    }

    @Test
    void lostLeadershipDropsTheSharePartitions() {
        produce(0, 2);
        fetch(fetchData(MEMBER, 0, 0));
        assertThat(apis.partitions().partitions()).hasSize(1);

        TreeMap<Integer, PartitionImage> moved = new TreeMap<>(image.topic("orders").orElseThrow().partitions());
        moved.put(0, new PartitionImage(0, List.of(1, 2), List.of(1, 2), 2, 4, 1));
        ClusterImage next = new ClusterImage("c", 2, image.brokers(),
                Map.of("orders", new TopicImage("orders", TOPIC_ID, moved, Map.of()),
                        "elsewhere", image.topic("elsewhere").orElseThrow()), image.topicNamesById(), Map.of(), 0);
        ClusterImage before = image;
        image = next;
        replicas.onImage(before, next);

        assertThat(apis.partitions().partitions()).isEmpty();
        ShareFetchResponseData r = fetch(fetchData(MEMBER, 1));
        assertThat(partition(r, 0).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(partition(r, 0).currentLeader().leaderId()).isEqualTo(2);
    }

    @Test
    void maxRecordsSpansPartitions() {
        produce(0, 3);
        produce(1, 3);

        ShareFetchResponseData r = fetch(fetchData(MEMBER, 0, 0, 1).setMaxRecords(3));

        long acquired = r.responses().find(TOPIC_ID).partitions().stream()
                .flatMap(pd -> pd.acquiredRecords().stream()).mapToLong(a -> a.lastOffset() - a.firstOffset() + 1)
                .sum();
        assertThat(acquired).isEqualTo(3);
    }

    // ---- ACLs (Kafka's KafkaApis.handleShareFetchRequest and handleShareAcknowledgeRequest) ----

    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");

    /** Requests come from {@code principal}, checked against {@code grants}. */
    private void as(KafkaPrincipal principal, GrantsAuthorizer grants) {
        connection = new ConnectionContext("SASL", SecurityProtocol.SASL_PLAINTEXT, principal);
        authorization = new Authorization(grants);
    }

    @Test
    void aShareFetchWithoutGroupReadIsRefusedWholeAndOpensNoSession() {
        produce(0, 2);
        as(ALICE, new GrantsAuthorizer().allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ)
                .allow(ALICE, ResourceType.GROUP, GROUP, AclOperation.DESCRIBE));

        ShareFetchResponseData r = fetch(fetchData(MEMBER, 0, 0));

        assertThat(r.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(r.responses()).isEmpty();
        assertThat(apis.sessions().size()).isZero();
        assertThat(apis.partitions().partitions()).isEmpty();
    }

    @Test
    void aShareFetchOfATopicWithoutReadFailsItsPartitionsOnly() {
        produce(0, 2);
        as(ALICE, new GrantsAuthorizer().allow(ALICE, ResourceType.GROUP, GROUP, AclOperation.READ)
                .allow(ALICE, ResourceType.TOPIC, "elsewhere", AclOperation.READ));
        ShareFetchRequestData data = fetchData(MEMBER, 0, 0);
        ShareFetchRequestData.FetchTopic other = new ShareFetchRequestData.FetchTopic().setTopicId(ELSEWHERE_ID);
        other.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        data.topics().add(other);

        ShareFetchResponseData r = fetch(data);

        assertThat(r.errorCode()).isZero();
        assertThat(partition(r, 0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(partition(r, 0).acquiredRecords()).isEmpty();
        // Readable, but led elsewhere: past the ACL, the usual answer.
        assertThat(partitionOf(r, ELSEWHERE_ID, 0).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(apis.partitions().partitions()).as("nothing acquired on orders").isEmpty();
    }

    @Test
    void acknowledgementsOfATopicWithoutReadAreRefusedPerPartitionAndChangeNothing() {
        produce(0, 3);
        GrantsAuthorizer grants = new GrantsAuthorizer()
                .allow(ALICE, ResourceType.GROUP, GROUP, AclOperation.READ)
                .allow(ALICE, ResourceType.TOPIC, "orders", AclOperation.READ)
                .allow(BOB, ResourceType.GROUP, GROUP, AclOperation.READ);
        as(ALICE, grants);
        fetch(fetchData(MEMBER, 0, 0));

        // The member's session, but a principal that may not read the topic.
        as(BOB, grants);
        ShareAcknowledgeResponseData acked = acknowledge(MEMBER, 1, 0, 0, 2, (byte) 3);
        assertThat(acked.errorCode()).isZero();
        assertThat(ackError(acked, 0)).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());

        ShareFetchResponseData piggybacked = fetch(withAck(fetchData(MEMBER, 2, 0), 0, 0, 2, (byte) 3));
        assertThat(partition(piggybacked, 0).acknowledgeErrorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(partition(piggybacked, 0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(archived).as("no REJECT applied").isEmpty();

        as(ALICE, grants);
        assertThat(ackError(acknowledge(MEMBER, 3, 0, 0, 2, (byte) 3), 0)).isZero();
        assertThat(archived).hasSize(1);
    }

    @Test
    void aShareAcknowledgeWithoutGroupReadIsRefusedWhole() {
        produce(0, 3);
        fetch(fetchData(MEMBER, 0, 0));
        as(BOB, new GrantsAuthorizer().allow(BOB, ResourceType.TOPIC, "orders", AclOperation.READ));

        ShareAcknowledgeResponseData r = acknowledge(MEMBER, 1, 0, 0, 2, (byte) 3);

        assertThat(r.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(r.responses()).isEmpty();
        assertThat(apis.sessions().epoch(GROUP, MEMBER)).as("the session epoch did not move").contains(1);
    }
}
