package io.herald.metadata.controller;

import io.herald.common.time.ManualTime;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.controller.ControllerCommand.AlterPartition;
import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.ElectLeaders;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.LeaderRequest.Heartbeat;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * A seeded simulation of brokers replicating partitions under the REAL {@link ControllerStateMachine} and
 * its {@link LeaderDuties} (liveness on a manual clock), without sockets. Partition leaders append records;
 * followers truncate to the leader after a leader change and copy from it; leaders shrink and expand ISRs
 * through AlterPartition; brokers crash and restart with a new incarnation (their logs survive, as on disk),
 * pause past the session timeout and resume, shut down in a controlled way; preferred elections run.
 * Metadata reaches running brokers at once (a simplification: no broker acts on a stale image).
 *
 * <p>Invariants, checked after every step (the failure names the seed and step):
 * AtMostOneLeaderPerEpoch, LeaderIsInIsr, IsrOnlyUnfencedOrLast, AcknowledgedRecordOnEveryIsrMember (a
 * record is acknowledged once every ISR member of that moment has it; with unclean election disabled no
 * acknowledged record is ever lost) and HighWatermarkNeverGoesBackwards (every record a consumer read below
 * a leader's high watermark, = min log end offset over the ISR as the leader sees it, stays at its offset).
 */
class ControllerSimulationTest {
    private static final int BROKERS = 5;
    private static final int PARTITIONS = 4;
    private static final int STEPS = 300;
    private static final long STEP_MS = 500;
    private static final int HEARTBEAT_EVERY_STEPS = 4;
    private static final int LAG_STEPS = 20;
    /** One controller, never deposed: every entry is of its term (term fencing: TermFencingTest). */
    private static final long TERM = 1;

    enum Status { RUNNING, PAUSED, DOWN }

    /** A broker process: its disk (logs, high watermarks) and its memory (replica roles). */
    static final class SimBroker {
        final int id;
        Status status = Status.RUNNING;
        Uuid incarnation;
        final Map<Integer, List<Long>> logs = new HashMap<>();
        final Map<Integer, Integer> localHw = new HashMap<>();
        // Memory, lost on restart:
        final Map<Integer, Integer> followedEpoch = new HashMap<>();
        final Map<Integer, LeaderState> leading = new HashMap<>();

        SimBroker(int id, Random random) {
            this.id = id;
            this.incarnation = new Uuid(random.nextLong(), random.nextLong());
        }

        List<Long> log(int p) {
            return logs.computeIfAbsent(p, k -> new ArrayList<>());
        }

        void restart(Random random) {
            incarnation = new Uuid(random.nextLong(), random.nextLong());
            followedEpoch.clear();
            leading.clear();
            status = Status.RUNNING;
        }
    }

    /** A leader's view of its followers in one leader epoch. */
    static final class LeaderState {
        final int leaderEpoch;
        final Map<Integer, Integer> followerLeo = new HashMap<>();
        final Map<Integer, Integer> caughtUpStep = new HashMap<>();

        LeaderState(int leaderEpoch) {
            this.leaderEpoch = leaderEpoch;
        }
    }

    static final class Simulation {
        final long seed;
        final Random random;
        final ManualTime clock = new ManualTime();
        final Queue<ControllerCommand> fromLeaderDuties = new ArrayDeque<>();
        final ControllerStateMachine machine;
        final Map<Integer, SimBroker> brokers = new TreeMap<>();
        final Map<String, Integer> leaderByEpoch = new HashMap<>();
        final Map<Integer, List<Long>> acknowledged = new HashMap<>();
        final Map<Integer, List<Long>> consumed = new HashMap<>();
        long index;
        long nextRecordId;
        int step;
        Uuid topicId;
        int fences;
        int leaderChanges;

        Simulation(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            ControllerSettings settings = new ControllerSettings(1, HEARTBEAT_EVERY_STEPS * STEP_MS, 9000, false,
                    300_000, 10_000);
            machine = new ControllerStateMachine(settings, clock, command -> {
                fromLeaderDuties.add(command);
                return CompletableFuture.completedFuture(ControllerReply.success(-1, new byte[0]).encode());
            });
            machine.onLeaderChange(true, TERM);
            apply(new InitCluster("sim"));
            for (int id = 1; id <= BROKERS; id++) {
                SimBroker b = new SimBroker(id, random);
                brokers.put(id, b);
                register(b);
            }
            apply(new CreateTopic("t", PARTITIONS, 3, new TreeMap<>(), new TreeMap<>()));
            topicId = image().topic("t").orElseThrow().topicId();
        }

        ClusterImage image() {
            return machine.image();
        }

        ControllerReply apply(ControllerCommand command) {
            ControllerReply reply = ControllerReply.decode(machine.apply(++index, TERM,
                    ControllerCommandSerde.encode(command)));
            while (!fromLeaderDuties.isEmpty()) {
                ControllerCommand duty = fromLeaderDuties.poll();
                if (duty instanceof ControllerCommand.TermFenced(long term, ControllerCommand.FenceBroker fence)) {
                    fences++;
                }
                machine.apply(++index, TERM, ControllerCommandSerde.encode(duty));
            }
            return reply;
        }

        void register(SimBroker b) {
            apply(new RegisterBroker(b.id, "h" + b.id, 9000 + b.id, Optional.empty(), b.incarnation));
        }

        PartitionImage partition(int p) {
            return image().topic("t").orElseThrow().partitions().get(p);
        }

        void run() {
            for (step = 1; step <= STEPS; step++) {
                clock.advance(STEP_MS);
                act();
                for (SimBroker b : brokers.values()) {
                    if (b.status == Status.RUNNING && (step + b.id) % HEARTBEAT_EVERY_STEPS == 0) {
                        machine.onLeaderRequest(ControllerCommandSerde.encode(new Heartbeat(b.id, b.incarnation)));
                    }
                }
                machine.leaderDuties().poll();
                apply(new ControllerCommand.ReserveProducerIds(0, 1)); // drains what the duties appended
                checkInvariants();
            }
        }

        void act() {
            int roll = random.nextInt(100);
            int p = random.nextInt(PARTITIONS);
            SimBroker b = brokers.get(1 + random.nextInt(BROKERS));
            if (roll < 35) {
                produce(p);
            } else if (roll < 70) {
                fetch(p, b);
            } else if (roll < 85) {
                maintainIsr(p);
            } else if (roll < 88) {
                if (b.status == Status.RUNNING) {
                    b.status = Status.DOWN;
                } else if (b.status == Status.DOWN) {
                    b.restart(random);
                    register(b);
                }
            } else if (roll < 93) {
                if (b.status == Status.RUNNING) {
                    b.status = Status.PAUSED;
                } else if (b.status == Status.PAUSED) {
                    b.status = Status.RUNNING;
                }
            } else if (roll < 95) {
                if (b.status == Status.RUNNING) {
                    apply(new ControlledShutdown(b.id));
                    b.status = Status.DOWN;
                }
            } else if (roll < 97) {
                apply(new ElectLeaders(false, Optional.empty()));
            } else {
                // Bring everyone back now and then so partitions keep making progress.
                for (SimBroker down : brokers.values()) {
                    if (down.status == Status.DOWN) {
                        down.restart(random);
                        register(down);
                    } else if (down.status == Status.PAUSED) {
                        down.status = Status.RUNNING;
                    }
                }
            }
        }

        /** The running leader of partition p with its leader state for the current epoch, if any. */
        Optional<SimBroker> runningLeader(int p) {
            PartitionImage part = partition(p);
            if (part.leader() < 0) {
                return Optional.empty();
            }
            SimBroker leader = brokers.get(part.leader());
            if (leader.status != Status.RUNNING) {
                return Optional.empty();
            }
            LeaderState state = leader.leading.get(p);
            if (state == null || state.leaderEpoch != part.leaderEpoch()) {
                state = new LeaderState(part.leaderEpoch());
                for (int r : part.replicas()) {
                    state.caughtUpStep.put(r, step);
                }
                leader.leading.put(p, state);
                leaderChanges++;
            }
            return Optional.of(leader);
        }

        void produce(int p) {
            runningLeader(p).ifPresent(leader -> leader.log(p).add(++nextRecordId));
        }

        void fetch(int p, SimBroker follower) {
            PartitionImage part = partition(p);
            if (follower.status != Status.RUNNING || follower.id == part.leader() || !part.replicas().contains(follower.id)) {
                return;
            }
            Optional<SimBroker> maybeLeader = runningLeader(p);
            if (maybeLeader.isEmpty()) {
                return;
            }
            SimBroker leader = maybeLeader.get();
            List<Long> mine = follower.log(p);
            List<Long> theirs = leader.log(p);
            if (!Integer.valueOf(part.leaderEpoch()).equals(follower.followedEpoch.get(p))) {
                // OffsetsForLeaderEpoch: truncate to where the logs diverge, once per leader epoch.
                int common = 0;
                while (common < mine.size() && common < theirs.size() && mine.get(common).equals(theirs.get(common))) {
                    common++;
                }
                mine.subList(common, mine.size()).clear();
                follower.localHw.put(p, Math.min(follower.localHw.getOrDefault(p, 0), common));
                follower.followedEpoch.put(p, part.leaderEpoch());
            }
            int copy = Math.min(theirs.size() - mine.size(), 1 + random.nextInt(4));
            for (int i = 0; i < copy; i++) {
                mine.add(theirs.get(mine.size()));
            }
            LeaderState state = leader.leading.get(p);
            state.followerLeo.put(follower.id, mine.size());
            if (mine.size() == theirs.size()) {
                state.caughtUpStep.put(follower.id, step);
            }
            advanceHighWatermark(p, leader);
            follower.localHw.put(p, Math.min(leader.localHw.getOrDefault(p, 0), mine.size()));
        }

        void advanceHighWatermark(int p, SimBroker leader) {
            PartitionImage part = partition(p);
            LeaderState state = leader.leading.get(p);
            int min = leader.log(p).size();
            for (int r : part.isr()) {
                if (r != leader.id) {
                    min = Math.min(min, state.followerLeo.getOrDefault(r, 0));
                }
            }
            int hw = Math.max(leader.localHw.getOrDefault(p, 0), min);
            leader.localHw.put(p, hw);
            List<Long> seen = consumed.computeIfAbsent(p, k -> new ArrayList<>());
            if (hw > seen.size()) {
                seen.clear();
                seen.addAll(leader.log(p).subList(0, hw));
            }
        }

        void maintainIsr(int p) {
            Optional<SimBroker> maybeLeader = runningLeader(p);
            if (maybeLeader.isEmpty()) {
                return;
            }
            SimBroker leader = maybeLeader.get();
            PartitionImage part = partition(p);
            LeaderState state = leader.leading.get(p);
            List<Integer> isr = new ArrayList<>(part.isr());
            isr.removeIf(r -> r != leader.id && step - state.caughtUpStep.getOrDefault(r, step) > LAG_STEPS);
            for (int r : part.replicas()) {
                if (!isr.contains(r) && state.followerLeo.getOrDefault(r, -1) >= leader.log(p).size()) {
                    isr.add(r);
                }
            }
            if (!isr.equals(part.isr())) {
                apply(new AlterPartition(leader.id, topicId, p, part.leaderEpoch(), part.partitionEpoch(), isr));
                advanceHighWatermark(p, leader);
            }
        }

        void checkInvariants() {
            ClusterImage image = image();
            TopicImage topic = image.topic("t").orElseThrow();
            for (PartitionImage part : topic.partitions().values()) {
                int p = part.partition();
                String where = "seed " + seed + " step " + step + " partition " + p + " " + part;
                Integer previous = leaderByEpoch.putIfAbsent(p + "@" + part.leaderEpoch(), part.leader());
                check(previous == null || previous == part.leader(), "AtMostOneLeaderPerEpoch", where);
                check(part.leader() == -1 || part.isr().contains(part.leader()), "LeaderIsInIsr", where);
                boolean allUnfenced = part.isr().stream().allMatch(r -> {
                    BrokerImage b = image.brokers().get(r);
                    return b != null && !b.fenced();
                });
                check(part.isr().size() == 1 || allUnfenced, "IsrOnlyUnfencedOrLast", where);

                List<Long> common = null;
                for (int r : part.isr()) {
                    List<Long> log = brokers.get(r).log(p);
                    if (common == null) {
                        common = new ArrayList<>(log);
                    } else {
                        int n = 0;
                        while (n < common.size() && n < log.size() && common.get(n).equals(log.get(n))) {
                            n++;
                        }
                        common.subList(n, common.size()).clear();
                    }
                }
                List<Long> acked = acknowledged.computeIfAbsent(p, k -> new ArrayList<>());
                check(isPrefix(acked, common), "AcknowledgedRecordOnEveryIsrMember", where + " acked " + acked
                        + " common " + common);
                if (common.size() > acked.size()) {
                    acked.clear();
                    acked.addAll(common);
                }
                if (part.leader() >= 0) {
                    List<Long> leaderLog = brokers.get(part.leader()).log(p);
                    List<Long> seen = consumed.getOrDefault(p, List.of());
                    check(isPrefix(seen, leaderLog), "HighWatermarkNeverGoesBackwards", where + " consumed " + seen
                            + " leader log " + leaderLog);
                }
            }
        }

        private static boolean isPrefix(List<Long> prefix, List<Long> list) {
            return prefix.size() <= list.size() && list.subList(0, prefix.size()).equals(prefix);
        }

        private static void check(boolean condition, String invariant, String where) {
            if (!condition) {
                throw new AssertionError(invariant + " violated at " + where);
            }
        }
    }

    @Test
    void invariantsHoldUnderCrashesPausesShutdownsAndElections() {
        long acknowledged = 0;
        int fences = 0;
        int leaderChanges = 0;
        for (long seed = 1; seed <= 50; seed++) {
            Simulation sim = new Simulation(seed);
            sim.run();
            acknowledged += sim.acknowledged.values().stream().mapToInt(List::size).sum();
            fences += sim.fences;
            leaderChanges += sim.leaderChanges;
        }
        // The simulation must actually exercise replication and failures, or it proves nothing.
        assertThat(acknowledged).isGreaterThan(1000);
        assertThat(fences).isGreaterThan(50);
        assertThat(leaderChanges).isGreaterThan(200);
    }
}
