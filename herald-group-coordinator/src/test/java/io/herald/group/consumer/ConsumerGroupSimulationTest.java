package io.herald.group.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
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

/**
 * Seeded simulation of a group under churn: joins, leaves, crashes (session expiry), partition
 * count increases and consumers that are slow to revoke (some beyond their rebalance timeout),
 * with heartbeats that are sometimes skipped. Named invariants are checked after every step.
 *
 * <p>Model assumption: when the coordinator removes a member on a timer, the consumer's own timer
 * (poll/session) has expired too and it has dropped its partitions: that is what lets Kafka hand
 * them to someone else, and is why the client-side invariant only looks at current members.
 */
class ConsumerGroupSimulationTest {

    private static final int STEPS = 250;
    private static final int MAX_PARTITIONS = 12;

    @Property(tries = 40)
    void invariantsHoldUnderChurn(@ForAll long seed) {
        new Simulation(seed).run();
    }

    private static final class Simulation {
        private final Random random;
        private final ShardHarness h = new ShardHarness(new ConsumerGroupConfig(10_000, 1_000, 1_000, "uniform"));
        private final List<SimulatedConsumer> live = new ArrayList<>();
        private final Map<String, Integer> lastMemberEpoch = new HashMap<>();
        private int lastGroupEpoch;
        private int lastAssignmentEpoch;
        private int nextConsumer;

        Simulation(long seed) {
            this.random = new Random(seed);
            h.createTopic("t0", 4);
            h.createTopic("t1", 3);
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                tick();
                act();
                for (SimulatedConsumer c : List.copyOf(live)) {
                    if (random.nextInt(10) < 7) {
                        c.heartbeat(h);
                        checkInvariants("step " + step + " after heartbeat of " + c.memberId);
                    }
                }
            }
            convergesWhenQuiet();
            replayReproducesState();
        }

        private void tick() {
            h.nowMs += 1_000;
            h.onTimer();
            h.shard.group(ShardHarness.GROUP).ifPresent(g -> live.stream()
                    .filter(c -> g.member(c.memberId).isEmpty())
                    .forEach(SimulatedConsumer::loseEverything));
            checkInvariants("after timers");
        }

        private void act() {
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    if (live.size() < 6) {
                        String[] topics = switch (random.nextInt(3)) {
                            case 0 -> new String[] {"t0"};
                            case 1 -> new String[] {"t1"};
                            default -> new String[] {"t0", "t1"};
                        };
                        SimulatedConsumer c = new SimulatedConsumer("c" + nextConsumer++, topics);
                        c.rebalanceTimeoutMs = 5_000;
                        if (random.nextInt(3) == 0) {
                            c.instanceId = "instance-" + c.memberId;
                        }
                        live.add(c);
                    }
                }
                case 2 -> {
                    if (!live.isEmpty()) {
                        SimulatedConsumer c = live.remove(random.nextInt(live.size()));
                        if (c.epoch != 0) {
                            h.heartbeat(c.leaveRequest());
                        }
                    }
                }
                case 3 -> {
                    if (!live.isEmpty()) {
                        live.remove(random.nextInt(live.size())); // crash: no leave, session expiry later
                    }
                }
                case 4 -> {
                    String topic = random.nextBoolean() ? "t0" : "t1";
                    int now = h.topics.get(topic).partitionCount();
                    h.addPartitions(topic, Math.min(MAX_PARTITIONS, now + 1 + random.nextInt(2)));
                }
                case 5 -> {
                    if (!live.isEmpty()) {
                        // up to 8 heartbeats: beyond the 5 s rebalance timeout for some
                        live.get(random.nextInt(live.size())).revocationDelay = random.nextInt(9);
                    }
                }
                case 6 -> {
                    // A static member restarts: the old process leaves with -2 and is gone; a new
                    // process with a new member id and the same instance id takes over.
                    List<SimulatedConsumer> statics = live.stream().filter(c -> c.instanceId != null).toList();
                    if (!statics.isEmpty()) {
                        SimulatedConsumer old = statics.get(random.nextInt(statics.size()));
                        live.remove(old);
                        if (old.epoch != 0) {
                            h.heartbeat(old.staticLeaveRequest());
                        }
                        SimulatedConsumer next = new SimulatedConsumer("c" + nextConsumer++, old.topics);
                        next.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
                        next.instanceId = old.instanceId;
                        live.add(next);
                    }
                }
                default -> {
                }
            }
            checkInvariants("after action");
        }

        private void checkInvariants(String when) {
            noPartitionOwnedTwice(when);
            consumersOwnOnlyWhatTheCoordinatorGranted(when);
            epochsMonotonic(when);
        }

        /** The coordinator never has a partition in the current assignment of two members. */
        private void noPartitionOwnedTwice(String when) {
            h.shard.group(ShardHarness.GROUP).ifPresent(g -> {
                Map<String, String> owners = new HashMap<>();
                g.members().values().forEach(m -> m.current().owned().forEach((t, ps) -> ps.forEach(p -> {
                    String other = owners.put(t + "-" + p, m.memberId());
                    assertThat(other).as("NoPartitionOwnedTwice %s: %s-%d held by %s and %s", when, t, p, other, m.memberId())
                            .isNull();
                })));
            });
        }

        /** A consumer only holds partitions the coordinator counts as its own. */
        private void consumersOwnOnlyWhatTheCoordinatorGranted(String when) {
            h.shard.group(ShardHarness.GROUP).ifPresent(g -> {
                for (SimulatedConsumer c : live) {
                    if (c.owned.isEmpty()) {
                        continue;
                    }
                    CurrentAssignment current = g.member(c.memberId)
                            .map(m -> m.current())
                            .orElseThrow(() -> new AssertionError("ConsumersOwnOnlyGranted " + when + ": " + c.memberId
                                    + " owns " + c.owned + " but is not a member"));
                    assertThat(TopicPartitionSets.isSubset(c.owned, current.owned()))
                            .as("ConsumersOwnOnlyGranted %s: %s owns %s, coordinator grants %s", when, c.memberId, c.owned,
                                    current.owned())
                            .isTrue();
                }
            });
        }

        /** Group epoch, assignment epoch and each member's epoch never go backwards. */
        private void epochsMonotonic(String when) {
            h.shard.group(ShardHarness.GROUP).ifPresent(g -> {
                assertThat(g.groupEpoch()).as("EpochsMonotonic %s: group epoch", when).isGreaterThanOrEqualTo(lastGroupEpoch);
                assertThat(g.assignmentEpoch()).as("EpochsMonotonic %s: assignment epoch", when)
                        .isGreaterThanOrEqualTo(lastAssignmentEpoch)
                        .isLessThanOrEqualTo(g.groupEpoch());
                lastGroupEpoch = g.groupEpoch();
                lastAssignmentEpoch = g.assignmentEpoch();
                g.members().values().forEach(m -> {
                    if (!m.hasCurrent()) {
                        return;
                    }
                    int epoch = m.current().memberEpoch();
                    if (epoch < 0) {
                        return; // -2: a static member that left temporarily
                    }
                    Integer before = lastMemberEpoch.put(m.memberId(), epoch);
                    if (before != null) {
                        assertThat(epoch).as("EpochsMonotonic %s: member %s", when, m.memberId())
                                .isGreaterThanOrEqualTo(before);
                    }
                    assertThat(epoch).isLessThanOrEqualTo(g.assignmentEpoch());
                });
            });
        }

        /** With no more churn and prompt consumers, everyone ends STABLE on a full, disjoint cover. */
        private void convergesWhenQuiet() {
            live.forEach(c -> c.revocationDelay = 0);
            for (int round = 0; round < 40; round++) {
                tick();
                live.forEach(c -> c.heartbeat(h));
                checkInvariants("quiet round " + round);
            }
            if (live.isEmpty()) {
                return;
            }
            ConsumerGroup g = h.group();
            assertThat(g.members().keySet()).as("ConvergesWhenQuiet: members")
                    .containsExactlyInAnyOrderElementsOf(live.stream().map(c -> c.memberId).toList());
            assertThat(g.state()).as("ConvergesWhenQuiet: %s", h.describe()).isEqualTo(ConsumerGroup.State.STABLE);
            Map<Uuid, Set<Integer>> covered = new TreeMap<>();
            for (SimulatedConsumer c : live) {
                CurrentAssignment current = h.current(c.memberId);
                assertThat(current.memberEpoch()).isEqualTo(g.groupEpoch());
                assertThat(c.owned).as("ConvergesWhenQuiet: %s owns its assignment", c.memberId).isEqualTo(current.assigned());
                covered = TopicPartitionSets.union(covered, current.assigned());
            }
            Map<Uuid, Set<Integer>> expected = new TreeMap<>();
            for (SimulatedConsumer c : live) {
                for (String topic : c.topics) {
                    var info = h.topics.get(topic);
                    Set<Integer> all = new TreeSet<>();
                    for (int p = 0; p < info.partitionCount(); p++) {
                        all.add(p);
                    }
                    expected.put(info.id(), all);
                }
            }
            assertThat(covered).as("ConvergesWhenQuiet: every subscribed partition is assigned")
                    .isEqualTo(TopicPartitionSets.normalize(expected));
        }

        /** Loading every record produced into a fresh shard gives the same group. */
        private void replayReproducesState() {
            ConsumerGroupCoordinatorShard reloaded = h.reload();
            assertThat(reloaded.describe(ShardHarness.GROUP, h.view()).response())
                    .as("ReplayReproducesState")
                    .isEqualTo(h.shard.describe(ShardHarness.GROUP, h.view()).response());
        }
    }
}
