package io.herald.group;

import io.herald.group.classic.GroupState;
import io.herald.group.offsets.OffsetAndMetadata;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Offset commit, fetch, delete and expiry on a manual clock, and their survival across a replay. */
@Timeout(20)
class OffsetManagerTest {
    // Expiry is called by the tests here; GroupCoordinatorTest covers the partition's own expiry timer.
    private final ShardFixture f = new ShardFixture(ShardFixture.withoutExpiryTimer(0, Integer.MAX_VALUE));
    private static final RequestContext CTX = new RequestContext("c", "/h", (short) 9);

    private static OffsetCommitRequestData commit(String group, int generation, String memberId, long offset,
                                                  int... partitions) {
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        for (int p : partitions) {
            topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(p)
                    .setCommittedOffset(offset).setCommittedLeaderEpoch(3).setCommittedMetadata("m"));
        }
        return new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setTopics(List.of(topic));
    }

    private static List<Errors> errors(OffsetCommitResponseData r) {
        return r.topics().stream().flatMap(t -> t.partitions().stream()).map(p -> Errors.forCode(p.errorCode()))
                .toList();
    }

    private OffsetCommitResponseData doCommit(OffsetCommitRequestData req) {
        return f.append(f.shard.commitOffsets(CTX, req, tp -> tp.topic().equals("t") && tp.partition() < 4));
    }

    @Test
    void simpleCommitCreatesAnEmptyGroupAndFetchReturnsIt() {
        assertThat(errors(doCommit(commit("simple", -1, "", 10, 0, 1, 9)))).containsExactly(Errors.NONE,
                Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(f.shard.offsets.committed("simple")).containsOnlyKeys(new TopicPartition("t", 0),
                new TopicPartition("t", 1));
        OffsetAndMetadata o = f.shard.offsets.committed("simple").get(new TopicPartition("t", 0));
        assertThat(o.offset()).isEqualTo(10);
        assertThat(o.leaderEpoch()).isEqualTo(3);
        assertThat(o.metadata()).isEqualTo("m");
        assertThat(f.group("simple").state()).isEqualTo(GroupState.EMPTY);
        assertThat(f.shard.offsets.committed("unknown")).isEmpty();
    }

    @Test
    void memberCommitsAreCheckedAgainstGenerationAndMembership() {
        CompletableFuture<JoinGroupResponseData> join = f.joinNew("g");
        f.clock.runDue();
        JoinGroupResponseData a = join.join();
        // CompletingRebalance: the member must sync first
        assertThat(errors(doCommit(commit("g", 1, a.memberId(), 5, 0)))).containsExactly(Errors.REBALANCE_IN_PROGRESS);
        f.sync("g", a.memberId(), null, 1, List.of()).join();
        assertThat(errors(doCommit(commit("g", 1, a.memberId(), 5, 0)))).containsExactly(Errors.NONE);
        assertThat(errors(doCommit(commit("g", 2, a.memberId(), 5, 0)))).containsExactly(Errors.ILLEGAL_GENERATION);
        assertThat(errors(doCommit(commit("g", 1, "stranger", 5, 0)))).containsExactly(Errors.UNKNOWN_MEMBER_ID);
        assertThat(errors(doCommit(commit("g", -1, "", 5, 0)))).containsExactly(Errors.UNKNOWN_MEMBER_ID);
        assertThat(errors(doCommit(commit("nogroup", 1, "m", 5, 0)))).containsExactly(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void offsetDeleteRefusesSubscribedTopicsOfLiveConsumerGroups() {
        doCommit(commit("simple", -1, "", 10, 0, 1));
        var delete = new OffsetDeleteRequestData().setGroupId("simple");
        var topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        var topic = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t");
        topic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
        topics.add(topic);
        delete.setTopics(topics);
        assertThat(f.run(() -> f.shard.offsets.deleteOffsets(delete)).errorCode()).isZero();
        assertThat(f.shard.offsets.committed("simple")).containsOnlyKeys(new TopicPartition("t", 1));
        assertThat(f.run(() -> f.shard.offsets.deleteOffsets(delete.duplicate().setGroupId("missing"))).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void offsetsOfEmptyGroupsExpireAfterRetentionAndTheGroupGoesAway() {
        doCommit(commit("simple", -1, "", 10, 0));
        f.clock.advance(GroupConfig.defaults().offsetsRetentionMs() - 1);
        assertThat(f.run(() -> f.shard.offsets.expireOffsets())).isZero();
        f.clock.advance(1);
        assertThat(f.run(() -> f.shard.offsets.expireOffsets())).isEqualTo(1);
        assertThat(f.shard.offsets.committed("simple")).isEmpty();
        assertThat(f.shard.classic.group("simple")).isEmpty();
        // the expiry is durable: a replay does not bring them back
        assertThat(f.restarted(ShardFixture.config(0, Integer.MAX_VALUE)).shard.offsets.committed("simple")).isEmpty();
    }

    @Test
    void committedOffsetsAndDeletedGroupsSurviveReplay() {
        doCommit(commit("a", -1, "", 10, 0, 1));
        doCommit(commit("a", -1, "", 11, 0));
        doCommit(commit("b", -1, "", 20, 2));
        assertThat(f.run(() -> f.shard.admin.delete("b")).errorCode()).isZero();
        assertThat(f.run(() -> f.shard.admin.delete("b")).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        ShardFixture restarted = f.restarted(ShardFixture.config(0, Integer.MAX_VALUE));
        assertThat(restarted.shard.offsets.committed("a")).containsOnlyKeys(new TopicPartition("t", 0),
                new TopicPartition("t", 1));
        assertThat(restarted.shard.offsets.committed("a").get(new TopicPartition("t", 0)).offset()).isEqualTo(11);
        assertThat(restarted.shard.offsets.committed("b")).isEmpty();
        assertThat(restarted.shard.classic.group("b")).isEmpty();
        assertThat(restarted.shard.admin.list(List.of(), List.of())).extracting(g -> g.groupId()).containsExactly("a");
    }

    @Test
    void deleteGroupsRefusesGroupsWithMembers() {
        CompletableFuture<JoinGroupResponseData> join = f.joinNew("g");
        f.clock.runDue();
        join.join();
        assertThat(f.run(() -> f.shard.admin.delete("g")).errorCode()).isEqualTo(Errors.NON_EMPTY_GROUP.code());
        assertThat(f.shard.admin.describe("g", (short) 5).members()).hasSize(1);
        assertThat(f.shard.admin.list(List.of("Stable"), List.of())).isEmpty();
        assertThat(f.shard.admin.list(List.of("completingrebalance"), List.of("classic"))).hasSize(1);
        assertThat(f.shard.admin.describe("none", (short) 6).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }
}
