package io.herald.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.broker.share.ShareSessionCache.FetchContext;
import java.util.List;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidShareSessionEpochException;
import org.apache.kafka.common.errors.ShareSessionLimitReachedException;
import org.apache.kafka.common.errors.ShareSessionNotFoundException;
import org.junit.jupiter.api.Test;

/** Kafka's share session epochs, limits and incremental partition sets. */
class ShareSessionCacheTest {
    private static final Uuid T = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final TopicIdPartition P0 = new TopicIdPartition(T, 0, "t");
    private static final TopicIdPartition P1 = new TopicIdPartition(T, 1, "t");
    private final ShareSessionCache cache = new ShareSessionCache(2);

    private FetchContext open(String member, TopicIdPartition... partitions) {
        return cache.newContext("g", member, 0, List.of(partitions), List.of(), false, "conn-" + member);
    }

    @Test
    void epochZeroOpensASessionThatExpectsEpochOneNext() {
        FetchContext c = open("m", P0);

        assertThat(c).isInstanceOf(FetchContext.NewSession.class);
        assertThat(((FetchContext.NewSession) c).partitions()).containsExactly(P0);
        assertThat(cache.epoch("g", "m")).contains(1);
        FetchContext next = cache.newContext("g", "m", 1, List.of(P1), List.of(), true, "conn-m");
        assertThat(((FetchContext.Subsequent) next).partitions()).containsExactly(P0, P1);
        assertThat(cache.epoch("g", "m")).contains(2);
    }

    @Test
    void aWrongEpochIsInvalidAndNoSessionIsNotFound() {
        open("m", P0);

        assertThatThrownBy(() -> cache.newContext("g", "m", 5, List.of(), List.of(), false, "c"))
                .isInstanceOf(InvalidShareSessionEpochException.class);
        assertThatThrownBy(() -> cache.newContext("g", "other", 1, List.of(), List.of(), false, "c"))
                .isInstanceOf(ShareSessionNotFoundException.class);
        assertThatThrownBy(() -> cache.newContext("g", "other", -1, List.of(), List.of(), false, "c"))
                .isInstanceOf(ShareSessionNotFoundException.class);
    }

    @Test
    void theRequestThatOpensASessionCannotAcknowledge() {
        assertThatThrownBy(() -> cache.newContext("g", "m", 0, List.of(P0), List.of(), true, "c"))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void sessionsAreLimitedButAMemberMayReopenItsOwn() {
        open("a", P0);
        open("b", P0);

        assertThatThrownBy(() -> open("c", P0)).isInstanceOf(ShareSessionLimitReachedException.class);
        assertThat(open("a", P1)).isInstanceOf(FetchContext.NewSession.class);
        assertThat(cache.partitions("g", "a")).containsExactly(P1);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void forgottenPartitionsLeaveAndNewOnesAreNamedInTheNextResponse() {
        open("m", P0);
        FetchContext.Subsequent next = (FetchContext.Subsequent) cache.newContext("g", "m", 1, List.of(P1),
                List.of(P0), false, "conn-m");

        assertThat(next.partitions()).containsExactly(P1);
        assertThat(cache.mustRespond(next.key(), P1, false, false)).as("joined").isTrue();
        assertThat(cache.mustRespond(next.key(), P1, false, false)).as("nothing new").isFalse();
        assertThat(cache.mustRespond(next.key(), P1, true, false)).as("records").isTrue();
        assertThat(cache.mustRespond(next.key(), P1, false, true)).as("error").isTrue();
        assertThat(cache.mustRespond(next.key(), P1, false, false)).as("after an error, once more").isTrue();
        assertThat(cache.mustRespond(next.key(), P1, false, false)).isFalse();
    }

    @Test
    void theFinalEpochLeavesTheSessionForItsRelease() {
        open("m", P0, P1);

        assertThat(cache.newContext("g", "m", -1, List.of(), List.of(), true, "conn-m"))
                .isInstanceOf(FetchContext.Final.class);
        assertThat(cache.remove("g", "m")).containsExactly(P0, P1);
        assertThat(cache.size()).isZero();
        assertThatThrownBy(() -> cache.remove("g", "m")).isInstanceOf(ShareSessionNotFoundException.class);
    }

    @Test
    void shareAcknowledgeChecksAndMovesTheEpoch() {
        open("m", P0);

        assertThatThrownBy(() -> cache.acknowledgeSessionUpdate("g", "m", 0))
                .isInstanceOf(InvalidShareSessionEpochException.class);
        assertThatThrownBy(() -> cache.acknowledgeSessionUpdate("g", "m", 2))
                .isInstanceOf(InvalidShareSessionEpochException.class);
        cache.acknowledgeSessionUpdate("g", "m", 1);
        assertThat(cache.epoch("g", "m")).contains(2);
        cache.acknowledgeSessionUpdate("g", "m", -1);
        assertThat(cache.epoch("g", "m")).as("the final epoch leaves it for the release").contains(2);
        assertThatThrownBy(() -> cache.acknowledgeSessionUpdate("g", "x", 1))
                .isInstanceOf(ShareSessionNotFoundException.class);
    }

    @Test
    void aClosedConnectionEndsItsSessionAndTellsWhenTheGroupIsEmpty() {
        open("a", P0);
        open("b", P1);

        ShareSessionCache.Disconnected d = cache.onDisconnect("conn-a").orElseThrow();
        assertThat(d.partitions()).containsExactly(P0);
        assertThat(d.groupEmpty()).isFalse();
        assertThat(cache.onDisconnect("conn-b").orElseThrow().groupEmpty()).isTrue();
        assertThat(cache.onDisconnect("conn-b")).isEmpty();
    }

    @Test
    void aSessionEndedBeforeItsConnectionClosedIsNotEndedTwice() {
        open("a", P0);
        cache.remove("g", "a");

        ShareSessionCache.Disconnected d = cache.onDisconnect("conn-a").orElseThrow();

        assertThat(d.partitions()).isEmpty();
        assertThat(d.groupEmpty()).isTrue();
    }

    @Test
    void epochsWrapToOne() {
        assertThat(ShareSessionCache.nextEpoch(Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(ShareSessionCache.nextEpoch(-1)).isEqualTo(-1);
        assertThat(ShareSessionCache.nextEpoch(0)).isEqualTo(1);
    }
}
