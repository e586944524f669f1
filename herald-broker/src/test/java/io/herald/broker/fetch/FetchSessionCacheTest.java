package io.herald.broker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.time.ManualTime;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** KIP-227 as a client sees it: which requests open, use and close sessions, and what responses then carry. */
class FetchSessionCacheTest {
    private static final short V17 = 17;
    private static final short V12 = 12;
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private final ManualTime time = new ManualTime();
    private final FetchSessionCache cache = new FetchSessionCache(10, time);

    @Test
    void aFullFetchWithEpochMinusOneHasNoSession() {
        FetchContext context = cache.context(request(0, -1), V17, partitions(0, 1));

        assertThat(context.plan()).hasSize(2);
        FetchResponseData response = context.finish(response(p(0, 10, false), p(1, 10, false)));
        assertThat(response.sessionId()).isZero();
        assertThat(partitionsOf(response)).containsExactly(0, 1);
        assertThat(cache.size()).isZero();
    }

    @Test
    void anIncrementalFetchReadsTheWholeSessionAndAnswersOnlyWhatChanged() {
        FetchContext initial = cache.context(request(0, 0), V17, partitions(0, 1, 2));
        FetchResponseData first = initial.finish(response(p(0, 10, false), p(1, 10, false), p(2, 10, false)));
        int sessionId = first.sessionId();
        assertThat(sessionId).as("a new session").isPositive();
        assertThat(partitionsOf(first)).as("the full response has every partition").containsExactly(0, 1, 2);

        FetchContext next = cache.context(request(sessionId, 1), V17, List.of());
        assertThat(next.isIncremental()).isTrue();
        assertThat(next.plan()).extracting(PartitionFetch::partition).containsExactly(0, 1, 2);
        FetchResponseData second = next.finish(response(p(0, 10, false), p(1, 12, false), p(2, 10, true)));
        assertThat(second.sessionId()).isEqualTo(sessionId);
        assertThat(partitionsOf(second)).as("1: new high watermark, 2: records; 0: nothing new")
                .containsExactly(1, 2);

        // Partition 0 moves on, partition 2 is forgotten; 2 had records, so it had moved to the end.
        FetchRequestData third = request(sessionId, 2);
        third.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopicId(TOPIC_ID)
                .setPartitions(List.of(2)));
        FetchContext context = cache.context(third, V17, List.of(fetch(0, 55)));
        assertThat(context.plan()).extracting(PartitionFetch::partition).containsExactly(0, 1);
        assertThat(context.plan().getFirst().fetchOffset()).isEqualTo(55);
        assertThat(partitionsOf(context.finish(response(p(0, 10, false), p(1, 12, false))))).isEmpty();
    }

    @Test
    void sessionErrorsAreTheOnesKafkaClientsRecoverFrom() {
        int sessionId = cache.context(request(0, 0), V17, partitions(0)).finish(response(p(0, 1, false))).sessionId();

        assertThat(cache.context(request(sessionId, 2), V17, List.of()).error())
                .contains(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(cache.context(request(sessionId + 1, 1), V17, List.of()).error())
                .contains(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(cache.context(request(0, 3), V17, List.of()).error()).contains(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(cache.context(request(sessionId, 1), V12, List.of()).error())
                .as("a v13+ session asked about by name").contains(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        assertThat(cache.context(request(sessionId, 1), V17, List.of()).error()).as("the epoch is still 1").isEmpty();

        FetchContext closing = cache.context(request(sessionId, -1), V17, partitions(0));
        assertThat(closing.error()).isEmpty();
        assertThat(closing.finish(response(p(0, 1, false))).sessionId()).isZero();
        assertThat(cache.context(request(sessionId, 2), V17, List.of()).error())
                .contains(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void aFullCacheGivesNoSessionUntilItsLeastRecentlyUsedSessionHasIdledTwoMinutes() {
        FetchSessionCache one = new FetchSessionCache(1, time);
        int first = one.context(request(0, 0), V17, partitions(0)).finish(response(p(0, 1, false))).sessionId();
        assertThat(first).isPositive();

        assertThat(one.context(request(0, 0), V17, partitions(0)).finish(response(p(0, 1, false))).sessionId())
                .as("no free slot: full fetches without a session").isZero();
        time.advance(FetchSessionCache.EVICTION_IDLE_MS);
        int second = one.context(request(0, 0), V17, partitions(0)).finish(response(p(0, 1, false))).sessionId();
        assertThat(second).isPositive().isNotEqualTo(first);
        assertThat(one.context(request(first, 1), V17, List.of()).error()).contains(Errors.FETCH_SESSION_ID_NOT_FOUND);

        FetchSessionCache off = new FetchSessionCache(0, time);
        assertThat(off.context(request(0, 0), V17, partitions(0)).finish(response(p(0, 1, false))).sessionId())
                .isZero();
    }

    private static FetchRequestData request(int sessionId, int epoch) {
        return new FetchRequestData().setSessionId(sessionId).setSessionEpoch(epoch);
    }

    private static List<PartitionFetch> partitions(int... ids) {
        return java.util.Arrays.stream(ids).mapToObj(p -> fetch(p, 0)).toList();
    }

    private static PartitionFetch fetch(int partition, long offset) {
        return new PartitionFetch("t", TOPIC_ID, partition, offset, 1 << 20, -1, -1, -1, Errors.NONE);
    }

    private static PartitionData p(int partition, long highWatermark, boolean records) {
        return new PartitionData().setPartitionIndex(partition).setHighWatermark(highWatermark)
                .setLastStableOffset(highWatermark).setLogStartOffset(0)
                .setRecords(records ? MemoryRecords.withRecords(org.apache.kafka.common.compress.Compression.NONE,
                        new SimpleRecord("v".getBytes())) : MemoryRecords.EMPTY);
    }

    private static FetchResponseData response(PartitionData... partitions) {
        return new FetchResponseData().setResponses(new java.util.ArrayList<>(List.of(new FetchableTopicResponse()
                .setTopic("t").setTopicId(TOPIC_ID).setPartitions(new java.util.ArrayList<>(List.of(partitions))))));
    }

    private static List<Integer> partitionsOf(FetchResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitions().stream())
                .map(PartitionData::partitionIndex).toList();
    }
}
