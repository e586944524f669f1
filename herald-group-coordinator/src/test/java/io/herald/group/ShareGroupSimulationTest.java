package io.herald.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.consumer.TopicPartitionSets;
import io.herald.group.consumer.TopicsView;
import io.herald.group.record.ShareGroupRecord.TopicPartitions;
import io.herald.group.share.ShareGroup;
import io.herald.group.share.ShareHeartbeatResult;
import io.herald.group.share.SharePartitionInit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Seeded simulation of a share group under churn: members join, leave, crash (their session expires), change
 * subscriptions and skip heartbeats; topics grow; the persister answers initializations late, fails some and
 * loses others; the coordinator restarts from its log (a failover: answers to the old one are lost). Named
 * invariants are checked after every step:
 * <ul>
 *   <li>{@code OnlySubscribedAndInitialized}: a member's current assignment holds only partitions of topics it
 *       subscribes to, whose share state is initialized;</li>
 *   <li>{@code EpochsOnlyGrow}: the group epoch, the assignment epoch and each member's epoch never go back, and
 *       a member's epoch never passes the assignment epoch;</li>
 *   <li>{@code ReplayReproducesState}: a coordinator loaded from the log holds the same group;</li>
 *   <li>{@code ConvergesWhenQuiet}: without churn, every subscribed partition gets initialized and shared by
 *       Kafka's rule, and every member holds its target.</li>
 * </ul>
 */
class ShareGroupSimulationTest {
    private static final int STEPS = 200;
    private static final String GROUP = "sg";
    private static final RequestContext CTX = new RequestContext("sim", "/127.0.0.1", (short) 1);

    @Property(tries = 40)
    void invariantsHoldUnderChurn(@ForAll long seed) {
        new Simulation(seed).run();
    }

    private static final class Member {
        final String id;
        List<String> topics;
        int epoch;
        boolean joined;

        Member(String id, List<String> topics) {
            this.id = id;
            this.topics = topics;
        }
    }

    private static final class Simulation {
        private final Random random;
        private final Map<String, TopicsView.TopicInfo> topics = new TreeMap<>();
        private final List<Member> live = new ArrayList<>();
        private final List<SharePartitionInit> pending = new ArrayList<>();
        private final Map<String, Integer> lastMemberEpoch = new HashMap<>();
        private ShardFixture f = new ShardFixture(ShareGroupShardTest.CONFIG);
        private int lastGroupEpoch;
        private int lastAssignmentEpoch;
        private int next;

        Simulation(long seed) {
            random = new Random(seed);
            topics.put("a", new TopicsView.TopicInfo("a", new Uuid(7, 1), 1));
            topics.put("b", new TopicsView.TopicInfo("b", new Uuid(7, 2), 3));
            topics.put("c", new TopicsView.TopicInfo("c", new Uuid(7, 3), 2));
        }

        TopicsView view() {
            return TopicsView.of(List.copyOf(topics.values()));
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                f.clock.advance(1_000 + random.nextInt(2_000));
                check("step " + step + " after timers");
                act();
                check("step " + step + " after action");
                answerSomeInitializations();
                check("step " + step + " after the persister");
                for (Member m : List.copyOf(live)) {
                    if (random.nextInt(10) < 8) {
                        heartbeat(m);
                        check("step " + step + " after heartbeat of " + m.id);
                    }
                }
            }
            convergesWhenQuiet();
            replayReproducesState("end");
        }

        private void act() {
            switch (random.nextInt(10)) {
                case 0, 1 -> {
                    if (live.size() < 9) {
                        live.add(new Member("m" + next++, randomTopics()));
                    }
                }
                case 2 -> {
                    if (!live.isEmpty()) {
                        Member m = live.remove(random.nextInt(live.size()));
                        if (m.joined) {
                            send(m, new ShareGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId(m.id)
                                    .setMemberEpoch(-1));
                        }
                    }
                }
                case 3 -> {
                    if (!live.isEmpty()) {
                        live.remove(random.nextInt(live.size())); // a crash: its session expires later
                    }
                }
                case 4 -> {
                    if (!live.isEmpty()) {
                        live.get(random.nextInt(live.size())).topics = randomTopics();
                    }
                }
                case 5 -> {
                    String name = List.copyOf(topics.keySet()).get(random.nextInt(topics.size()));
                    TopicsView.TopicInfo t = topics.get(name);
                    topics.put(name, new TopicsView.TopicInfo(name, t.id(), Math.min(6, t.partitionCount() + 1)));
                }
                case 6 -> {
                    if (random.nextInt(3) == 0) {
                        // Failover: a new coordinator replays the log; the persister's answers to the old are lost.
                        replayReproducesState("before a failover");
                        f = f.restarted(ShareGroupShardTest.CONFIG);
                        pending.clear();
                    }
                }
                default -> {
                }
            }
        }

        private List<String> randomTopics() {
            List<String> out = new ArrayList<>();
            for (String t : topics.keySet()) {
                if (random.nextBoolean()) {
                    out.add(t);
                }
            }
            if (out.isEmpty()) {
                out.add("a");
            }
            if (random.nextInt(8) == 0) {
                out.add("not-a-topic");
            }
            return out;
        }

        private void heartbeat(Member m) {
            ShareGroupHeartbeatRequestData req = new ShareGroupHeartbeatRequestData().setGroupId(GROUP)
                    .setMemberId(m.id).setMemberEpoch(m.joined ? m.epoch : 0)
                    .setSubscribedTopicNames(!m.joined || random.nextInt(4) == 0 ? m.topics : null);
            if (m.joined && random.nextInt(4) == 0) {
                req.setSubscribedTopicNames(m.topics); // resend the subscription (it may have changed)
            }
            ShareGroupHeartbeatResponseData r = send(m, req);
            if (r.errorCode() == Errors.NONE.code()) {
                m.joined = true;
                m.epoch = r.memberEpoch();
            } else {
                assertThat(Errors.forCode(r.errorCode())).as("only fencing errors: %s", r.errorMessage())
                        .isIn(Errors.UNKNOWN_MEMBER_ID, Errors.FENCED_MEMBER_EPOCH,
                                Errors.GROUP_MAX_SIZE_REACHED); // crashed members hold their seat until expiry
                m.joined = false; // rejoin with epoch 0
            }
        }

        private ShareGroupHeartbeatResponseData send(Member m, ShareGroupHeartbeatRequestData req) {
            ShareHeartbeatResult result = f.append(f.shard.shareGroupHeartbeat(CTX, req, view()));
            pending.addAll(result.initializations());
            return result.response();
        }

        /** The persister answers some initializations, fails some, and keeps the others for later. */
        private void answerSomeInitializations() {
            Map<Uuid, TopicPartitions> done = new TreeMap<>();
            Map<Uuid, TopicPartitions> failed = new TreeMap<>();
            for (var it = pending.iterator(); it.hasNext(); ) {
                SharePartitionInit init = it.next();
                int dice = random.nextInt(10);
                if (dice < 5) {
                    add(done, init);
                    it.remove();
                } else if (dice < 6) {
                    add(failed, init);
                    it.remove();
                } else if (dice < 7) {
                    it.remove(); // lost: the retry interval brings it back
                }
            }
            if (!done.isEmpty() || !failed.isEmpty()) {
                f.append(f.shard.shareStateInitialized(GROUP, done, failed));
            }
        }

        private static void add(Map<Uuid, TopicPartitions> into, SharePartitionInit init) {
            into.merge(init.key().topicId(), new TopicPartitions(init.topicName(), Set.of(init.key().partition())),
                    (a, b) -> {
                        Set<Integer> all = new TreeSet<>(a.partitions());
                        all.addAll(b.partitions());
                        return new TopicPartitions(b.topicName(), all);
                    });
        }

        // ---- invariants ----

        private void check(String when) {
            f.shard.shareGroups.group(GROUP).ifPresent(g -> {
                onlySubscribedAndInitialized(g, when);
                epochsOnlyGrow(g, when);
            });
        }

        private void onlySubscribedAndInitialized(ShareGroup g, String when) {
            Map<Uuid, Set<Integer>> initialized = g.initializedPartitions();
            for (ShareGroup.Member m : g.members().values()) {
                Set<Uuid> subscribed = new TreeSet<>();
                m.metadata().subscribedTopicNames().forEach(n -> view().topic(n).ifPresent(t -> subscribed.add(t.id())));
                m.current().assigned().forEach((topic, ps) -> {
                    assertThat(subscribed).as("OnlySubscribedAndInitialized %s: %s holds %s", when, m.memberId(), topic)
                            .contains(topic);
                    assertThat(initialized.getOrDefault(topic, Set.of()))
                            .as("OnlySubscribedAndInitialized %s: %s holds %s %s", when, m.memberId(), topic, ps)
                            .containsAll(ps);
                });
            }
        }

        private void epochsOnlyGrow(ShareGroup g, String when) {
            assertThat(g.groupEpoch()).as("EpochsOnlyGrow %s: group epoch", when).isGreaterThanOrEqualTo(lastGroupEpoch);
            assertThat(g.assignmentEpoch()).as("EpochsOnlyGrow %s: assignment epoch", when)
                    .isGreaterThanOrEqualTo(lastAssignmentEpoch).isLessThanOrEqualTo(g.groupEpoch());
            lastGroupEpoch = g.groupEpoch();
            lastAssignmentEpoch = g.assignmentEpoch();
            for (ShareGroup.Member m : g.members().values()) {
                int epoch = m.current().memberEpoch();
                Integer before = lastMemberEpoch.put(m.memberId(), epoch);
                if (before != null) {
                    assertThat(epoch).as("EpochsOnlyGrow %s: member %s", when, m.memberId())
                            .isGreaterThanOrEqualTo(before);
                }
                assertThat(epoch).as("EpochsOnlyGrow %s: member %s ahead of the target", when, m.memberId())
                        .isLessThanOrEqualTo(g.assignmentEpoch());
            }
        }

        private void replayReproducesState(String when) {
            ShardFixture replayed = f.restarted(ShareGroupShardTest.CONFIG);
            assertThat(replayed.shard.shareGroupDescribe(GROUP, view())).as("ReplayReproducesState %s", when)
                    .isEqualTo(f.shard.shareGroupDescribe(GROUP, view()));
            assertThat(replayed.shard.shareGroups.group(GROUP).map(ShareGroup::statePartitions))
                    .as("ReplayReproducesState %s: share-partitions", when)
                    .isEqualTo(f.shard.shareGroups.group(GROUP).map(ShareGroup::statePartitions));
            assertThat(replayed.shard.listGroups(List.of(), List.of())).isEqualTo(f.shard.listGroups(List.of(), List.of()));
        }

        /** No churn, a persister that answers everything: all subscribed partitions get shared by the rule. */
        private void convergesWhenQuiet() {
            for (int round = 0; round < 40; round++) {
                f.clock.advance(2_000);
                Map<Uuid, TopicPartitions> done = new TreeMap<>();
                pending.forEach(i -> add(done, i));
                pending.clear();
                if (!done.isEmpty()) {
                    f.append(f.shard.shareStateInitialized(GROUP, done, Map.of()));
                }
                live.forEach(this::heartbeat);
                check("quiet round " + round);
            }
            if (live.isEmpty()) {
                return;
            }
            ShareGroup g = f.shard.shareGroups.group(GROUP).orElseThrow();
            assertThat(g.members().keySet()).as("ConvergesWhenQuiet: members")
                    .containsExactlyInAnyOrderElementsOf(live.stream().map(m -> m.id).toList());
            Map<Uuid, Set<Integer>> covered = TopicPartitionSets.EMPTY;
            Map<Uuid, Set<Integer>> expected = new TreeMap<>();
            for (Member m : live) {
                ShareGroup.Member sm = g.member(m.id).orElseThrow();
                assertThat(sm.current().memberEpoch()).as("ConvergesWhenQuiet: %s epoch", m.id)
                        .isEqualTo(g.assignmentEpoch());
                assertThat(sm.current().assigned()).as("ConvergesWhenQuiet: %s holds its target", m.id)
                        .isEqualTo(sm.target());
                covered = TopicPartitionSets.union(covered, sm.current().assigned());
                for (String name : m.topics) {
                    view().topic(name).ifPresent(t -> {
                        Set<Integer> all = new TreeSet<>();
                        for (int p = 0; p < t.partitionCount(); p++) {
                            all.add(p);
                        }
                        expected.put(t.id(), all);
                    });
                }
            }
            assertThat(g.initializedPartitions()).as("ConvergesWhenQuiet: initialized")
                    .containsAllEntriesOf(TopicPartitionSets.normalize(expected));
            assertThat(covered).as("ConvergesWhenQuiet: every subscribed partition is shared")
                    .isEqualTo(TopicPartitionSets.normalize(expected));
        }
    }
}
