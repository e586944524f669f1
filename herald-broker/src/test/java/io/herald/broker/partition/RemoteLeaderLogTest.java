package io.herald.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.junit.jupiter.api.Test;

/**
 * The committed bounds of a dead-letter partition on another broker: the check for copies in doubt never trusts a
 * high watermark that has not reached the log end the leader had when the check began.
 */
class RemoteLeaderLogTest {
    private static final TopicPartition DLQ = new TopicPartition("dlq.orders", 0);
    private static final int LOCAL_ID = 2;
    private static final int TIMEOUT_MS = 1_000;

    /**
     * A dead-letter leader whose follower lags: its log ends at {@code logEnd}, its high watermark is {@code hw}
     * and rises by {@code hwStepPerFetch} on each Fetch (a long poll answered when replication moves it).
     */
    private static final class LaggingLeader implements RemoteLeaderLog.LeaderChannel {
        final List<AbstractRequest> requests = new ArrayList<>();
        final long logStart = 3;
        final long logEnd = 10;
        long hw;
        final long hwStepPerFetch;

        LaggingLeader(long hw, long hwStepPerFetch) {
            this.hw = hw;
            this.hwStepPerFetch = hwStepPerFetch;
        }

        @Override
        public synchronized CompletableFuture<AbstractResponse> send(AbstractRequest request) {
            requests.add(request);
            if (request instanceof ListOffsetsRequest list) {
                ListOffsetsRequestData.ListOffsetsPartition p = list.data().topics().get(0).partitions().get(0);
                long offset = p.timestamp() == ListOffsetsRequest.EARLIEST_TIMESTAMP ? logStart
                        : list.replicaId() == ListOffsetsRequest.CONSUMER_REPLICA_ID ? hw : logEnd;
                ListOffsetsResponseData data = new ListOffsetsResponseData();
                data.topics().add(new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(DLQ.topic())
                        .setPartitions(List.of(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                                .setPartitionIndex(DLQ.partition()).setOffset(offset).setTimestamp(-1))));
                return CompletableFuture.completedFuture(new ListOffsetsResponse(data));
            }
            FetchRequest fetch = (FetchRequest) request;
            assertThat(fetch.data().replicaId()).as("a consumer's fetch").isEqualTo(-1);
            hw = Math.min(logEnd, hw + hwStepPerFetch);
            FetchResponseData data = new FetchResponseData();
            data.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic(DLQ.topic())
                    .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(DLQ.partition())
                            .setErrorCode(Errors.NONE.code()).setHighWatermark(hw).setLogStartOffset(logStart))));
            return CompletableFuture.completedFuture(FetchResponse.of(data));
        }

        synchronized long fetches() {
            return requests.stream().filter(r -> r instanceof FetchRequest).count();
        }

        synchronized List<Integer> listOffsetsReplicaIds() {
            return requests.stream().filter(r -> r instanceof ListOffsetsRequest)
                    .map(r -> ((ListOffsetsRequest) r).replicaId()).toList();
        }
    }

    private static LeaderLog.Bounds bounds(LaggingLeader leader) throws Exception {
        return new RemoteLeaderLog(leader, 1, LOCAL_ID, TIMEOUT_MS).bounds(DLQ).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aCommittedLogIsAnsweredWithoutWaiting() throws Exception {
        LaggingLeader leader = new LaggingLeader(10, 0);

        assertThat(bounds(leader)).isEqualTo(new LeaderLog.Bounds(3, 10));
        assertThat(leader.fetches()).isZero();
        assertThat(leader.listOffsetsReplicaIds()).as("the log end asked as this replica, then as a consumer")
                .containsExactly(LOCAL_ID, ListOffsetsRequest.CONSUMER_REPLICA_ID,
                        ListOffsetsRequest.CONSUMER_REPLICA_ID);
    }

    @Test
    void theBoundsWaitUntilTheHighWatermarkReachesTheLogEndSeenAtTheStart() throws Exception {
        LaggingLeader leader = new LaggingLeader(7, 1); // offsets 7..9: an append still replicating

        assertThat(bounds(leader)).isEqualTo(new LeaderLog.Bounds(3, 10));
        assertThat(leader.fetches()).isEqualTo(3);
        FetchRequest first = (FetchRequest) leader.requests.stream().filter(r -> r instanceof FetchRequest)
                .findFirst().orElseThrow();
        assertThat(first.data().topics().get(0).partitions().get(0).fetchOffset()).as("the last record appended")
                .isEqualTo(9);
        assertThat(first.data().maxWaitMs()).isEqualTo(RemoteLeaderLog.WAIT_MS);
    }

    @Test
    void aHighWatermarkThatNeverGetsThereFailsTheCheckAfterTheTimeout() {
        LaggingLeader leader = new LaggingLeader(7, 0);

        assertThatThrownBy(() -> bounds(leader)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class)
                .hasMessageContaining("did not reach the log end 10");
        assertThat(leader.fetches()).as("bounded: timeout / poll wait")
                .isEqualTo(TIMEOUT_MS / RemoteLeaderLog.WAIT_MS);
    }
}
