package io.herald.group;

import static io.herald.group.ShareGroupShardTest.CTX;
import static io.herald.group.ShareGroupShardTest.T;
import static io.herald.group.ShareGroupShardTest.TOPICS;
import static io.herald.group.ShareGroupShardTest.U;
import static io.herald.group.ShareGroupShardTest.beat;
import static io.herald.group.ShareGroupShardTest.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.SharePartitionKey;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import io.herald.group.share.ShareOffsetsAlteration;
import io.herald.group.share.ShareOffsetsDeletion;
import io.herald.group.share.SharePartitionInit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Share groups beside the other group types on one {@link GroupCoordinatorShard}: every API of another type
 * answers a share group's id as Kafka 4.3.1 does, the admin APIs (ShareGroupDescribe, ListGroups, DescribeGroups,
 * DeleteGroups) and the coordinator's side of AlterShareGroupOffsets and DeleteShareGroupOffsets.
 */
class ShareGroupAdminShardTest {
    private final ShardFixture f = new ShardFixture(ShareGroupShardTest.CONFIG);

    private void shareGroup(String group, String member, String... topics) {
        f.append(f.shard.shareGroupHeartbeat(CTX, join(group, member, topics), TOPICS));
    }

    /** A share group with one member whose partitions of {@code topics} are initialized. */
    private int initializedShareGroup(String group, String member, String... topics) {
        var result = f.append(f.shard.shareGroupHeartbeat(CTX, join(group, member, topics), TOPICS));
        initialize(group, result.initializations());
        return f.append(f.shard.shareGroupHeartbeat(CTX, beat(group, member, 1), TOPICS)).response().memberEpoch();
    }

    private void initialize(String group, List<SharePartitionInit> inits) {
        Map<org.apache.kafka.common.Uuid, TopicPartitions> done = new java.util.TreeMap<>();
        inits.forEach(i -> done.merge(i.key().topicId(), new TopicPartitions(i.topicName(),
                Set.of(i.key().partition())), (a, b) -> {
                    var all = new java.util.TreeSet<>(a.partitions());
                    all.addAll(b.partitions());
                    return new TopicPartitions(b.topicName(), all);
                }));
        f.append(f.shard.shareStateInitialized(group, done, Map.of()));
    }

    private void leave(String group, String member) {
        f.append(f.shard.shareGroupHeartbeat(CTX, beat(group, member, -1), TOPICS));
    }

    // ---- other group types' APIs on a share group's id ----

    @Test
    void classicApisOnAShareGroupAnswerAsKafka() {
        shareGroup("g", "m1", "t");
        JoinGroupResponseData join = f.join("g", "").join();
        assertThat(Errors.forCode(join.errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(join.memberId()).isEmpty();
        CompletableFuture<SyncGroupResponseData> sync = f.sync("g", "m1", null, 1, List.of());
        assertThat(Errors.forCode(sync.join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(f.heartbeat("g", "m1", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        var leave = f.append(f.shard.leaveGroup(CTX, new LeaveGroupRequestData().setGroupId("g")
                .setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("m1")))));
        assertThat(Errors.forCode(leave.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(f.shard.classic.group("g")).as("no classic group was created").isEmpty();
    }

    @Test
    void offsetApisOnAShareGroupAnswerGroupIdNotFound() {
        shareGroup("g", "m1", "t");
        var topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(3)));
        for (int generation : new int[] {-1, 1}) {
            var commit = f.append(f.shard.commitOffsets(new RequestContext("c", "/h", (short) 9),
                    new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(generation)
                            .setTopics(List.of(topic)), tp -> true));
            assertThat(Errors.forCode(commit.topics().get(0).partitions().get(0).errorCode()))
                    .as("generation %d", generation).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        }
        var txnTopic = new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)));
        var txn = f.shard.transactionalOffsets.commit(CTX, new TxnOffsetCommitRequestData().setGroupId("g")
                .setGenerationId(-1).setTopics(List.of(txnTopic)), tp -> true);
        assertThat(Errors.forCode(txn.response().topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        var delete = f.append(f.shard.deleteOffsets(new OffsetDeleteRequestData().setGroupId("g")));
        assertThat(Errors.forCode(delete.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(f.shard.committedOffsets("g", null, -1).offsets()).as("Kafka: no offsets, no error").isEmpty();
        assertThat(f.shard.classic.group("g")).as("no simple group was created").isEmpty();
    }

    @Test
    void consumerGroupApisOnAShareGroupAnswerNotAConsumerGroup() {
        shareGroup("g", "m1", "t");
        var heartbeat = f.append(f.shard.consumerGroupHeartbeat(CTX, new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g").setMemberId("c1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()), TOPICS));
        assertThat(Errors.forCode(heartbeat.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(heartbeat.errorMessage()).isEqualTo("Group g is not a consumer group.");
        var described = f.shard.consumerGroupDescribe("g", TOPICS);
        assertThat(Errors.forCode(described.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(described.errorMessage()).isEqualTo("Group g is not a consumer group.");
    }

    @Test
    void shareApisOnOtherGroupTypesAnswerNotAShareGroup() {
        f.append(f.shard.consumerGroupHeartbeat(CTX, new ConsumerGroupHeartbeatRequestData().setGroupId("c")
                .setMemberId("c1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()), TOPICS));
        f.join("k", "").join(); // a classic group, empty until its member joins for real
        for (String group : List.of("c", "k")) {
            var r = f.append(f.shard.shareGroupHeartbeat(CTX, join(group, "m1", "t"), TOPICS)).response();
            assertThat(Errors.forCode(r.errorCode())).as(group).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            assertThat(r.errorMessage()).isEqualTo("Group " + group + " is not a share group.");
            var described = f.shard.shareGroupDescribe(group, TOPICS);
            assertThat(described.errorMessage()).isEqualTo("Group " + group + " is not a share group.");
            var alter = f.append(f.shard.alterShareGroupOffsets(alter(group, "t", 0, 5L), TOPICS));
            assertThat(Errors.forCode(alter.response().errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        }
        assertThat(f.shard.shareGroupDescribe("nope", TOPICS).errorMessage()).isEqualTo("Group nope not found.");
    }

    // ---- ListGroups, DescribeGroups, ShareGroupDescribe ----

    @Test
    void listGroupsShowsShareGroupsByTypeAndState() {
        shareGroup("s1", "m1", "t");
        shareGroup("s2", "m2", "t");
        leave("s2", "m2");
        f.append(f.shard.consumerGroupHeartbeat(CTX, new ConsumerGroupHeartbeatRequestData().setGroupId("c")
                .setMemberId("c1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()), TOPICS));
        List<ListGroupsResponseData.ListedGroup> share = f.shard.listGroups(List.of(), List.of("Share"));
        assertThat(share).extracting(ListGroupsResponseData.ListedGroup::groupId).containsExactlyInAnyOrder("s1", "s2");
        assertThat(share).allSatisfy(g -> {
            assertThat(g.protocolType()).isEqualTo("share");
            assertThat(g.groupType()).isEqualTo("share");
        });
        assertThat(f.shard.listGroups(List.of("stable"), List.of("share"))).extracting(g -> g.groupId())
                .containsExactly("s1");
        assertThat(f.shard.listGroups(List.of("Empty"), List.of())).extracting(g -> g.groupId()).containsExactly("s2");
        assertThat(f.shard.listGroups(List.of(), List.of("consumer"))).extracting(g -> g.groupId())
                .containsExactly("c");
    }

    @Test
    void describeGroupsAnswersAShareGroupAsNotAClassicGroup() {
        shareGroup("g", "m1", "t");
        DescribeGroupsResponseData.DescribedGroup v6 = f.shard.describeGroup("g", (short) 6);
        assertThat(Errors.forCode(v6.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(v6.errorMessage()).isEqualTo("Group g is not a classic group.");
        assertThat(v6.groupState()).isEqualTo("Dead");
        DescribeGroupsResponseData.DescribedGroup v5 = f.shard.describeGroup("g", (short) 5);
        assertThat(v5.errorCode()).isZero();
        assertThat(v5.groupState()).isEqualTo("Dead");
    }

    @Test
    void shareGroupDescribeShowsEpochsMembersAndAssignments() {
        int epoch = initializedShareGroup("g", "m1", "u");
        f.append(f.shard.shareGroupHeartbeat(new RequestContext("client-2", "/10.0.0.2", (short) 1),
                join("g", "m2", "t", "u").setRackId("rack-2"), TOPICS));
        ShareGroupDescribeResponseData.DescribedGroup g = f.shard.shareGroupDescribe("g", TOPICS);
        assertThat(g.errorCode()).isZero();
        assertThat(g.groupState()).isEqualTo("Stable");
        assertThat(g.assignorName()).isEqualTo("simple");
        assertThat(g.groupEpoch()).isEqualTo(epoch + 1);
        assertThat(g.assignmentEpoch()).isEqualTo(epoch + 1);
        assertThat(g.members()).extracting(ShareGroupDescribeResponseData.Member::memberId).containsExactly("m1", "m2");
        ShareGroupDescribeResponseData.Member m1 = g.members().get(0);
        assertThat(m1.memberEpoch()).isEqualTo(epoch);
        assertThat(m1.clientId()).isEqualTo("client-1");
        assertThat(m1.clientHost()).isEqualTo("/127.0.0.1");
        assertThat(m1.subscribedTopicNames()).containsExactly("u");
        assertThat(m1.assignment().topicPartitions()).singleElement().satisfies(tp -> {
            assertThat(tp.topicId()).isEqualTo(U);
            assertThat(tp.topicName()).isEqualTo("u");
            assertThat(tp.partitions()).containsExactly(0);
        });
        ShareGroupDescribeResponseData.Member m2 = g.members().get(1);
        assertThat(m2.rackId()).isEqualTo("rack-2");
        assertThat(m2.clientId()).isEqualTo("client-2");
        assertThat(m2.subscribedTopicNames()).containsExactly("t", "u");
        assertThat(g.authorizedOperations()).isEqualTo(Integer.MIN_VALUE);
    }

    // ---- DeleteGroups ----

    @Test
    void deletingANonEmptyShareGroupIsRefused() {
        shareGroup("g", "m1", "t");
        var step = f.append(f.shard.prepareDeleteGroup("g"));
        assertThat(step).isInstanceOfSatisfying(GroupDeletionStep.Done.class, done ->
                assertThat(Errors.forCode(done.result().errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP));
        assertThat(f.shard.shareGroups.exists("g")).isTrue();
    }

    @Test
    void deletingAnEmptyShareGroupFirstDeletesItsShareStateThenTheGroup() {
        initializedShareGroup("g", "m1", "t");
        f.append(f.shard.shareGroupHeartbeat(CTX, join("g", "m2", "u"), TOPICS)); // u: initializing only
        leave("g", "m1");
        leave("g", "m2");
        var step = f.append(f.shard.prepareDeleteGroup("g"));
        assertThat(step).isInstanceOfSatisfying(GroupDeletionStep.DeleteShareState.class, share ->
                assertThat(share.keys()).containsExactlyInAnyOrder(new SharePartitionKey("g", T, 0),
                        new SharePartitionKey("g", T, 1), new SharePartitionKey("g", T, 2),
                        new SharePartitionKey("g", T, 3), new SharePartitionKey("g", U, 0)));
        var state = f.shard.shareGroups.group("g").orElseThrow().statePartitions();
        assertThat(state.initialized()).isEmpty();
        assertThat(state.initializing()).isEmpty();
        assertThat(state.deleting()).containsOnlyKeys(T, U);

        DeleteGroupsResponseData.DeletableGroupResult deleted = f.append(f.shard.deleteGroup("g"));
        assertThat(deleted.errorCode()).isZero();
        assertThat(f.shard.shareGroups.exists("g")).isFalse();
        assertThat(f.restarted(ShareGroupShardTest.CONFIG).shard.shareGroups.exists("g")).as("after replay").isFalse();
        assertThat(Errors.forCode(f.append(f.shard.deleteGroup("g")).errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void aShareGroupThatNeverHadStateIsDeletedWithoutPersisterCalls() {
        f.append(f.shard.shareGroupHeartbeat(CTX, join("g", "m1", "nope"), TOPICS));
        leave("g", "m1");
        var step = f.append(f.shard.prepareDeleteGroup("g"));
        assertThat(step).isInstanceOfSatisfying(GroupDeletionStep.DeleteShareState.class,
                share -> assertThat(share.keys()).isEmpty());
    }

    // ---- AlterShareGroupOffsets ----

    private static AlterShareGroupOffsetsRequestData alter(String group, String topic, int partition, long offset) {
        var topics = new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopicCollection();
        topics.add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName(topic)
                .setPartitions(new java.util.ArrayList<>(List.of(new AlterShareGroupOffsetsRequestData
                        .AlterShareGroupOffsetsRequestPartition().setPartitionIndex(partition)
                        .setStartOffset(offset)))));
        return new AlterShareGroupOffsetsRequestData().setGroupId(group).setTopics(topics);
    }

    @Test
    void alteringOffsetsOfANonEmptyGroupIsRefused() {
        shareGroup("g", "m1", "t");
        ShareOffsetsAlteration r = f.append(f.shard.alterShareGroupOffsets(alter("g", "t", 0, 5L), TOPICS));
        assertThat(Errors.forCode(r.response().errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(r.response().errorMessage()).isEqualTo(Errors.NON_EMPTY_GROUP.message());
        assertThat(r.initializations()).isEmpty();
    }

    @Test
    void alteringOffsetsCreatesTheGroupAndInitializesWithABumpedStateEpoch() {
        AlterShareGroupOffsetsRequestData req = alter("g", "t", 1, 42L);
        req.topics().find("t").partitions().add(new AlterShareGroupOffsetsRequestData
                .AlterShareGroupOffsetsRequestPartition().setPartitionIndex(9).setStartOffset(7));
        req.topics().add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic()
                .setTopicName("missing").setPartitions(List.of(new AlterShareGroupOffsetsRequestData
                        .AlterShareGroupOffsetsRequestPartition().setPartitionIndex(0).setStartOffset(1))));
        ShareOffsetsAlteration r = f.append(f.shard.alterShareGroupOffsets(req, TOPICS));
        assertThat(r.response().errorCode()).isZero();
        var t = r.response().responses().find("t");
        assertThat(t.topicId()).isEqualTo(T);
        assertThat(t.partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(r.response().responses().find("missing").partitions()).singleElement()
                .satisfies(p -> assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        assertThat(r.initializations()).containsExactly(
                new SharePartitionInit(new SharePartitionKey("g", T, 1), "t", 1, 42L));
        assertThat(f.shard.shareGroups.group("g").orElseThrow().statePartitions().initializing())
                .containsOnlyKeys(T);

        // A second alteration fences the first one's state: its epoch is higher still.
        ShareOffsetsAlteration again = f.append(f.shard.alterShareGroupOffsets(alter("g", "t", 1, 50L), TOPICS));
        assertThat(again.initializations()).singleElement().satisfies(i -> assertThat(i.stateEpoch()).isEqualTo(2));
    }

    // ---- DeleteShareGroupOffsets ----

    private static DeleteShareGroupOffsetsRequestData deleteOffsets(String group, String... topics) {
        return new DeleteShareGroupOffsetsRequestData().setGroupId(group).setTopics(java.util.Arrays.stream(topics)
                .map(t -> new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName(t))
                .toList());
    }

    @Test
    void deletingOffsetsAnswersKafkasErrors() {
        ShareOffsetsDeletion unknown = f.append(f.shard.prepareDeleteShareGroupOffsets(deleteOffsets("g", "t"), TOPICS));
        assertThat(unknown.topLevelError()).hasValueSatisfying(r -> {
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            assertThat(r.errorMessage()).isEqualTo("Group g not found.");
        });
        shareGroup("g", "m1", "t");
        ShareOffsetsDeletion busy = f.append(f.shard.prepareDeleteShareGroupOffsets(deleteOffsets("g", "t"), TOPICS));
        assertThat(busy.topLevelError()).hasValueSatisfying(r ->
                assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP));
    }

    @Test
    void deletingOffsetsMovesInitializedTopicsToDeletingUntilTheyAreDeleted() {
        initializedShareGroup("g", "m1", "t");
        leave("g", "m1");
        ShareOffsetsDeletion plan = f.append(f.shard.prepareDeleteShareGroupOffsets(
                deleteOffsets("g", "t", "u", "missing"), TOPICS));
        assertThat(plan.topLevelError()).isEmpty();
        assertThat(plan.toDelete()).containsOnlyKeys(T);
        assertThat(plan.toDelete().get(T).keys()).hasSize(4);
        assertThat(plan.errors()).extracting(e -> e.topicName(), e -> Errors.forCode(e.errorCode()), e -> e.errorMessage())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("u", Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                "There is no offset information to delete."),
                        org.assertj.core.groups.Tuple.tuple("missing", Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
        var state = f.shard.shareGroups.group("g").orElseThrow().statePartitions();
        assertThat(state.initialized()).isEmpty();
        assertThat(state.deleting()).containsOnlyKeys(T);
        // An interrupted deletion is retried: the topic is still deleting.
        assertThat(f.append(f.shard.prepareDeleteShareGroupOffsets(deleteOffsets("g", "t"), TOPICS)).toDelete())
                .containsOnlyKeys(T);
        f.append(f.shard.shareGroupOffsetsDeleted("g", Set.of(T)));
        assertThat(f.shard.shareGroups.group("g").orElseThrow().statePartitions().deleting()).isEmpty();
        // The next member initializes the topic afresh.
        var rejoin = f.append(f.shard.shareGroupHeartbeat(CTX, join("g", "m2", "t"), TOPICS));
        assertThat(rejoin.initializations()).hasSize(4);
        assertThat(f.shard.initializedSharePartitions("g")).isEmpty();
    }

    @Test
    void theInitializedPartitionsAreWhatDescribeOffsetsReadsForAllTopics() {
        initializedShareGroup("g", "m1", "t", "u");
        assertThat(f.shard.initializedSharePartitions("g")).isEqualTo(Map.of(T, Set.of(0, 1, 2, 3), U, Set.of(0)));
        assertThat(f.shard.initializedSharePartitions("nope")).isEmpty();
    }
}
