package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DescribeTopicPartitions (API 75, KIP-966) as Kafka 4.3 answers it: what Admin describeTopics and kafka-topics.sh
 * --describe use on a broker that offers it, and its paging by partition limit and cursor.
 */
class DescribeTopicPartitionsTest {
    private static final int T = 30;

    @TempDir
    static Path dir;
    static TestBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dir, Map.of("max.request.partition.size.limit", "5"));
        admin = broker.admin();
        admin.createTopics(List.of(new NewTopic("dtp-a", 3, (short) 1), new NewTopic("dtp-b", 4, (short) 1),
                new NewTopic("dtp-c", 1, (short) 1))).all().get(T, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void adminDescribeTopicsPagesThroughEveryPartition() throws Exception {
        // 8 partitions with at most 5 an answer: the client follows the cursor.
        Map<String, TopicDescription> described = admin.describeTopics(List.of("dtp-b", "dtp-a", "dtp-c"))
                .allTopicNames().get(T, TimeUnit.SECONDS);
        int nodeId = broker.broker().config().node().nodeId();
        assertThat(described.get("dtp-a").partitions()).extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1, 2);
        assertThat(described.get("dtp-b").partitions()).extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1, 2, 3);
        TopicPartitionInfo p = described.get("dtp-c").partitions().get(0);
        assertThat(p.leader().id()).isEqualTo(nodeId);
        assertThat(p.isr()).extracting(n -> n.id()).containsExactly(nodeId);
        assertThat(p.elr()).isEmpty();
        assertThat(p.lastKnownElr()).isEmpty();
        assertThat(described.get("dtp-a").topicId()).isNotNull();
    }

    @Test
    void anUnknownTopicFailsOnlyItself() throws Exception {
        var result = admin.describeTopics(List.of("dtp-a", "dtp-missing")).topicNameValues();
        assertThat(result.get("dtp-a").get(T, TimeUnit.SECONDS).partitions()).hasSize(3);
        try {
            result.get("dtp-missing").get(T, TimeUnit.SECONDS);
            throw new AssertionError("an unknown topic must fail");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void theLimitAndTheCursorPageInTopicOrder() throws Exception {
        try (TestBroker.RawConnection raw = broker.raw()) {
            DescribeTopicPartitionsResponseData first = ask(raw, request(List.of("dtp-b", "dtp-a"), 4, null));
            assertThat(first.topics()).extracting(DescribeTopicPartitionsResponseTopic::name)
                    .containsExactly("dtp-a", "dtp-b");
            assertThat(topics(first).get(0).partitions()).hasSize(3);
            assertThat(topics(first).get(1).partitions()).extracting(p -> p.partitionIndex()).containsExactly(0);
            assertThat(first.nextCursor().topicName()).isEqualTo("dtp-b");
            assertThat(first.nextCursor().partitionIndex()).isEqualTo(1);

            DescribeTopicPartitionsResponseData second = ask(raw, request(List.of("dtp-b", "dtp-a"), 4,
                    new DescribeTopicPartitionsRequestData.Cursor().setTopicName("dtp-b").setPartitionIndex(1)));
            assertThat(second.topics()).extracting(DescribeTopicPartitionsResponseTopic::name).containsExactly("dtp-b");
            assertThat(topics(second).get(0).partitions()).extracting(p -> p.partitionIndex())
                    .containsExactly(1, 2, 3);
            assertThat(second.nextCursor()).isNull();

            // The broker's max.request.partition.size.limit (5 here) caps a larger request limit.
            DescribeTopicPartitionsResponseData all = ask(raw, request(List.of(), 2000, null));
            int returned = all.topics().stream().mapToInt(t -> t.partitions().size()).sum();
            assertThat(returned).isEqualTo(5);
            assertThat(all.nextCursor()).isNotNull();
        }
    }

    @Test
    void aCursorOutsideTheListIsAnInvalidRequest() throws Exception {
        try (TestBroker.RawConnection raw = broker.raw()) {
            DescribeTopicPartitionsResponseData answer = ask(raw, request(List.of("dtp-a"), 10,
                    new DescribeTopicPartitionsRequestData.Cursor().setTopicName("dtp-b").setPartitionIndex(0)));
            assertThat(answer.topics()).extracting(t -> Errors.forCode(t.errorCode()))
                    .containsOnly(Errors.INVALID_REQUEST);
            // The connection is still good.
            assertThat(topics(ask(raw, request(List.of("dtp-c"), 10, null))).get(0).partitions()).hasSize(1);
        }
    }

    private static List<DescribeTopicPartitionsResponseTopic> topics(DescribeTopicPartitionsResponseData response) {
        return List.copyOf(response.topics());
    }

    private static DescribeTopicPartitionsRequest request(List<String> topics, int limit,
                                                          DescribeTopicPartitionsRequestData.Cursor cursor) {
        DescribeTopicPartitionsRequestData data = new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(limit).setCursor(cursor);
        topics.forEach(t -> data.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(t)));
        return new DescribeTopicPartitionsRequest.Builder(data).build((short) 0);
    }

    private static DescribeTopicPartitionsResponseData ask(TestBroker.RawConnection raw,
                                                           DescribeTopicPartitionsRequest request) throws Exception {
        DescribeTopicPartitionsResponse response = raw.roundTrip(request);
        return response.data();
    }
}
