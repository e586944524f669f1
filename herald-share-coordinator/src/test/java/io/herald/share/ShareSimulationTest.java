package io.herald.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.coordinator.share.PersistedBatch;
import io.herald.coordinator.share.SharePartitionKey;
import io.herald.share.record.ShareRecord;
import io.herald.share.state.SharePartitionState;
import io.herald.share.state.ShareStateStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Seeded simulation of the share coordinator behind its runtime: per share-partition a current leader and the
 * leader it replaced (a zombie that keeps writing), initializing, reading, writing and deleting, with the ISR
 * lagging, appends failing, commit timeouts firing, leadership of {@code __share_group_state} partitions moving and
 * coordinators failing over (the uncommitted suffix lost). Named invariants are checked as answers arrive and once
 * the faults stop:
 * <ul>
 *   <li><b>AnswersAreResponses</b>: no future fails; errors are codes.</li>
 *   <li><b>ReadsSeeAcknowledgedWrites</b>: a read sees, at every offset from its start offset on, at least the
 *       delivery count and state of every write acknowledged before it was sent, and a start offset no lower than
 *       theirs (Kafka's merge never moves a record's state back).</li>
 *   <li><b>FencedWritersNeverChangeState</b>: a write answered FENCED_LEADER_EPOCH or FENCED_STATE_EPOCH left the
 *       state as it was.</li>
 *   <li><b>NoWriteBelowAReadEpoch</b>: once a read at leader epoch E was answered, no write of an older epoch is
 *       acknowledged.</li>
 *   <li><b>ReplayGivesTheLiveState</b>: replaying each partition's log, snapshots and updates, gives exactly the
 *       state the coordinator holds.</li>
 *   <li><b>StateSurvivesReload</b>: after a failover every share-partition holds what it held before.</li>
 * </ul>
 */
class ShareSimulationTest {
    private static final int STEPS = 300;

    @Property(tries = 40)
    void invariantsHoldUnderFaults(@ForAll long seed) {
        new Simulation(seed).run();
    }

    /** What the test knows of one share-partition. */
    private static final class Known {
        final SharePartitionKey key;
        int leaderEpoch = 1;      // the current leader's; leaderEpoch - 1 is the zombie's (never -1: unfenced)
        int stateEpoch;
        long nextStart;           // start offsets only move forward
        /** Lower bounds from acknowledged writes: offset -> (count << 8 | state). */
        TreeMap<Long, Integer> floor = new TreeMap<>();
        long floorStart = -1;
        int ackedReadEpoch = -1;
        /** An initialize or delete whose outcome is unknown: the floors may no longer hold. */
        boolean uncertain = true;
        boolean busy;

        Known(SharePartitionKey key) {
            this.key = key;
        }
    }

    private static final class Simulation {
        private final Random random;
        private final ShareHarness h = new ShareHarness(ShareHarness.CONFIG.withSnapshotUpdateRecordsPerSnapshot(3));
        private final List<Known> known = new ArrayList<>();
        private int answered;
        /** Assertions fail inside answer callbacks; they are collected and rethrown by the step. */
        private final List<AssertionError> failures = new ArrayList<>();

        Simulation(long seed) {
            random = new Random(seed);
            Uuid topic = h.topic(3);
            for (String group : List.of("g1", "g2")) {
                for (int p = 0; p < 3; p++) {
                    known.add(new Known(new SharePartitionKey(group, topic, p)));
                }
            }
            h.leadAll();
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                act();
                rethrow();
            }
            quiesce();
            rethrow();
            replayGivesTheLiveState();
            stateSurvivesReload();
            assertThat(answered).as("the simulation got answers").isGreaterThan(STEPS / 4);
        }

        private void rethrow() {
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
        }

        private void checked(Runnable check) {
            try {
                check.run();
            } catch (AssertionError e) {
                failures.add(e);
            }
        }

        private void act() {
            int dice = random.nextInt(100);
            Known k = known.get(random.nextInt(known.size()));
            if (dice < 55) {
                if (!k.busy) {
                    request(k);
                }
            } else if (dice < 75) {
                h.log.commit(random.nextInt(ShareHarness.PARTITIONS));
            } else if (dice < 83) {
                h.timer.advance(random.nextInt(3_000));
            } else if (dice < 88) {
                h.log.failNextAppend(random.nextInt(ShareHarness.PARTITIONS),
                        new NotEnoughReplicasException("simulated"));
            } else if (dice < 91) {
                moveLeadershipHere();
            } else if (dice < 93) {
                h.failover();
                known.forEach(x -> x.busy = false); // answers of the old coordinator may never come
            }
            h.loop.runAll();
        }

        private void request(Known k) {
            int choice = random.nextInt(100);
            if (choice < 8 || (k.uncertain && choice < 30)) {
                initialize(k);
            } else if (choice < 25) {
                read(k, k.leaderEpoch);
            } else if (choice < 30) {
                k.leaderEpoch++; // a new leader takes over, and starts by reading
                read(k, k.leaderEpoch);
            } else if (choice < 33) {
                delete(k);
            } else {
                write(k, random.nextInt(4) == 0 ? k.leaderEpoch - 1 : k.leaderEpoch);
            }
        }

        private void initialize(Known k) {
            k.busy = true;
            int stateEpoch = k.stateEpoch + 1;
            long start = k.nextStart;
            track(h.coordinator.initializeState(ShareHarness.initialize(k.key, stateEpoch, start)), r -> {
                Errors e = Errors.forCode(r.results().get(0).partitions().get(0).errorCode());
                k.busy = false;
                if (e == Errors.NONE) {
                    k.stateEpoch = Math.max(k.stateEpoch, stateEpoch);
                    k.floor = new TreeMap<>();
                    k.floorStart = start;
                    k.uncertain = false;
                } else {
                    k.uncertain = true; // it may still commit
                }
            });
        }

        private void delete(Known k) {
            k.busy = true;
            track(h.coordinator.deleteState(ShareHarness.delete(k.key)), r -> {
                k.busy = false;
                k.uncertain = true; // deleted, or maybe: either way the next read may find nothing
                k.floor = new TreeMap<>();
                k.ackedReadEpoch = -1;
            });
        }

        private void read(Known k, int leaderEpoch) {
            k.busy = true;
            TreeMap<Long, Integer> floor = new TreeMap<>(k.floor);
            long floorStart = k.floorStart;
            boolean check = !k.uncertain;
            track(h.coordinator.readState(ShareHarness.read(k.key, leaderEpoch)), r -> {
                k.busy = false;
                var p = r.results().get(0).partitions().get(0);
                if (p.errorCode() != Errors.NONE.code()) {
                    return;
                }
                k.ackedReadEpoch = Math.max(k.ackedReadEpoch, leaderEpoch);
                if (check) {
                    readsSeeAcknowledgedWrites(k, p, floor, floorStart);
                }
            });
        }

        private void write(Known k, int leaderEpoch) {
            k.busy = true;
            long start = random.nextInt(3) == 0 ? -1 : (k.nextStart += random.nextInt(3));
            long base = Math.max(0, k.nextStart);
            List<PersistedBatch> batches = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                long first = base + random.nextInt(12);
                batches.add(new PersistedBatch(first, first + random.nextInt(4), (byte) (2 * random.nextInt(3)),
                        (short) (1 + random.nextInt(3))));
            }
            int readEpochBefore = k.ackedReadEpoch;
            CompletableFuture<Optional<SharePartitionState>> before = h.coordinator.state(k.key);
            var answer = h.coordinator.writeState(ShareHarness.write(k.key, k.stateEpoch, leaderEpoch, start, -1,
                    batches.toArray(PersistedBatch[]::new)), (short) 1);
            CompletableFuture<Optional<SharePartitionState>> after = h.coordinator.state(k.key);
            track(answer, r -> {
                k.busy = false;
                Errors e = Errors.forCode(r.results().get(0).partitions().get(0).errorCode());
                if (e == Errors.NONE) {
                    assertThat(leaderEpoch).as("NoWriteBelowAReadEpoch: %s wrote at %d after a read at %d", k.key,
                            leaderEpoch, readEpochBefore).isGreaterThanOrEqualTo(readEpochBefore);
                    if (start != -1) {
                        k.floorStart = Math.max(k.floorStart, start);
                    }
                    for (PersistedBatch b : batches) {
                        for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                            k.floor.merge(o, priority(b.deliveryCount(), b.deliveryState()), Math::max);
                        }
                    }
                } else if (e == Errors.FENCED_LEADER_EPOCH || e == Errors.FENCED_STATE_EPOCH) {
                    before.thenAcceptBoth(after, (was, is) -> checked(() -> assertThat(is)
                            .as("FencedWritersNeverChangeState: %s (%s)", k.key, e).isEqualTo(was)));
                }
            });
        }

        private <T> void track(CompletableFuture<T> answer, java.util.function.Consumer<T> onAnswer) {
            answer.whenComplete((r, error) -> checked(() -> {
                assertThat(error).as("AnswersAreResponses").isNull();
                answered++;
                onAnswer.accept(r);
            }));
        }

        private static int priority(short count, byte state) {
            return (count << 8) | (state & 0xff);
        }

        private static void readsSeeAcknowledgedWrites(Known k, ReadShareGroupStateResponseData.PartitionResult read,
                                                       TreeMap<Long, Integer> floor, long floorStart) {
            assertThat(read.startOffset()).as("ReadsSeeAcknowledgedWrites: start offset of %s", k.key)
                    .isGreaterThanOrEqualTo(floorStart);
            Map<Long, Integer> seen = new HashMap<>();
            for (var b : read.stateBatches()) {
                for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                    assertThat(seen.put(o, priority(b.deliveryCount(), b.deliveryState())))
                            .as("batches of %s overlap at %d", k.key, o).isNull();
                }
            }
            floor.tailMap(Math.max(0, read.startOffset()), true).forEach((offset, min) ->
                    assertThat(seen.getOrDefault(offset, 0)).as("ReadsSeeAcknowledgedWrites: %s at offset %d", k.key,
                            offset).isGreaterThanOrEqualTo(min));
        }

        private void moveLeadershipHere() {
            for (int p = 0; p < ShareHarness.PARTITIONS; p++) {
                h.coordinator.onResign(p, h.leaderEpoch);
            }
            h.leaderEpoch++;
            for (int p = 0; p < ShareHarness.PARTITIONS; p++) {
                h.coordinator.onBecomeLeader(p, h.leaderEpoch);
            }
        }

        private void quiesce() {
            for (int i = 0; i < 5; i++) {
                h.settle();
                h.timer.advance(h.config.writeTimeoutMs());
            }
            h.settle();
        }

        private void replayGivesTheLiveState() {
            for (int p = 0; p < ShareHarness.PARTITIONS; p++) {
                ShareStateStore replayed = new ShareStateStore(h.config.snapshotUpdateRecordsPerSnapshot());
                h.log.records(p).forEach(replayed::replay);
                for (Known k : known) {
                    if (h.partitionOf(k.key) == p) {
                        assertThat(replayed.state(k.key)).as("ReplayGivesTheLiveState: %s", k.key)
                                .isEqualTo(h.state(k.key));
                    }
                }
            }
        }

        private void stateSurvivesReload() {
            Map<SharePartitionKey, Optional<SharePartitionState>> before = new HashMap<>();
            known.forEach(k -> before.put(k.key, h.state(k.key)));
            assertThat(before.values()).as("some share-partition has state").anyMatch(Optional::isPresent);
            h.failover();
            known.forEach(k -> assertThat(h.state(k.key)).as("StateSurvivesReload: %s", k.key)
                    .isEqualTo(before.get(k.key)));
            List<ShareRecord> all = new ArrayList<>();
            for (int p = 0; p < ShareHarness.PARTITIONS; p++) {
                all.addAll(h.log.records(p));
            }
            assertThat(all).as("updates were written between snapshots")
                    .anyMatch(r -> r instanceof ShareRecord.Update);
        }
    }
}
