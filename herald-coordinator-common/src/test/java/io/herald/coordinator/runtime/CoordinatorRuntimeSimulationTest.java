package io.herald.coordinator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.common.time.ManualTime;
import io.herald.common.timer.ManualTimer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Seeded simulations of the runtime: random interleavings of writes (both result styles), reads, parked requests,
 * timer tasks, failing appends, slow and lost commits, failovers that drop the uncommitted suffix, and loads that
 * find no replica, on a manual loop, clock and log. jqwik reports the seed and a shrunk step list on failure.
 *
 * <p>Invariants, checked after every step:
 * <ul>
 *   <li><b>StateIsReplayOfLog</b>: a served partition's state is the replay of its whole local log.</li>
 *   <li><b>AnswersOnlyAfterCommit</b>: when a write, parked or read answer succeeds, everything it shows is below
 *       the high watermark.</li>
 *   <li><b>ReadsSeeAPrefixOfTheLog</b>: a read shows exactly the replay of the log up to the records it
 *       counted.</li>
 * </ul>
 * and at the end of a run:
 * <ul>
 *   <li><b>AcknowledgedWritesSurviveFailover</b>: every acknowledged write is in the final log.</li>
 *   <li><b>EveryRequestIsAnswered</b>: once the partitions are led and committed and time has passed the
 *       deadlines, no request is left waiting.</li>
 * </ul>
 */
class CoordinatorRuntimeSimulationTest {
    private static final int PARTITIONS = 2;
    private static final long COMMIT_TIMEOUT_MS = 500;
    private static final long LOAD_RETRY_MS = 200;
    private static final List<String> KEYS = List.of("a", "b", "c");

    sealed interface Step {
        record Put(int partition, String key, boolean applied) implements Step {
        }

        record Read(int partition) implements Step {
        }

        record Park(int partition, String key) implements Step {
        }

        record ExpireLater(int partition, String key, int delayMs) implements Step {
        }

        record FailNextAppend(int partition, boolean tooLarge) implements Step {
        }

        record Commit(int partition) implements Step {
        }

        record Advance(int ms) implements Step {
        }

        record RunOneEvent() implements Step {
        }

        record RunAllEvents() implements Step {
        }

        record Failover(int partition) implements Step {
        }

        record Lead(int partition) implements Step {
        }

        record ReplicaAvailable(int partition, boolean available) implements Step {
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> partition = Arbitraries.integers().between(0, PARTITIONS - 1);
        Arbitrary<String> key = Arbitraries.of(KEYS);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Combinators.combine(partition, key, Arbitraries.of(true, false))
                        .as(Step.Put::new)),
                net.jqwik.api.Tuple.of(4, partition.map(Step.Read::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(partition, key).as(Step.Park::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(partition, key,
                        Arbitraries.integers().between(0, 1_000)).as(Step.ExpireLater::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(partition, Arbitraries.of(true, false))
                        .as(Step.FailNextAppend::new)),
                net.jqwik.api.Tuple.of(6, partition.map(Step.Commit::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 700).map(Step.Advance::new)),
                net.jqwik.api.Tuple.of(6, Arbitraries.just(new Step.RunOneEvent())),
                net.jqwik.api.Tuple.of(6, Arbitraries.just(new Step.RunAllEvents())),
                net.jqwik.api.Tuple.of(1, partition.map(Step.Failover::new)),
                net.jqwik.api.Tuple.of(1, partition.map(Step.Lead::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(partition, Arbitraries.of(true, false))
                        .as(Step.ReplicaAvailable::new)));
        return step.list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 300)
    void invariantsHoldUnderRandomInterleavings(@ForAll("steps") @Size(max = 120) List<Step> steps) {
        new Simulation().run(steps);
    }

    /** One run: the runtime under test, its environment, and what has been asked and answered. */
    private static final class Simulation {
        final ManualTime time = new ManualTime();
        final ManualTimer timer = new ManualTimer(time);
        final ManualExecutor loop = new ManualExecutor();
        final MemoryLog<KvShard.Put> log = new MemoryLog<>(timer);
        final Map<Integer, KvShard> lastShard = new HashMap<>();
        final CoordinatorRuntime<KvShard, KvShard.Put> runtime = new CoordinatorRuntime<KvShard, KvShard.Put>(
                new CoordinatorRuntimeSettings("kv", "__kv", PARTITIONS, COMMIT_TIMEOUT_MS, LOAD_RETRY_MS), log,
                context -> {
                    KvShard shard = new KvShard(context);
                    lastShard.put(context.partition(), shard);
                    return shard;
                }, time, timer, loop);
        final int[] epochs = new int[PARTITIONS];
        final boolean[] led = new boolean[PARTITIONS];
        final List<String> violations = new ArrayList<>();
        final List<CompletableFuture<?>> asked = new ArrayList<>();
        final Map<KvShard.Put, Integer> acknowledged = new HashMap<>();
        int nextValue;

        void run(List<Step> steps) {
            for (int p = 0; p < PARTITIONS; p++) {
                lead(p);
            }
            loop.runAll();
            for (Step step : steps) {
                apply(step);
                check(step);
            }
            settle();
            check(new Step.RunAllEvents());
            for (var e : acknowledged.entrySet()) {
                assertThat(log.records(e.getValue())).as("AcknowledgedWritesSurviveFailover").contains(e.getKey());
            }
            assertThat(asked).as("EveryRequestIsAnswered").allMatch(CompletableFuture::isDone);
        }

        void lead(int p) {
            led[p] = true;
            runtime.onBecomeLeader(p, ++epochs[p]);
        }

        void apply(Step step) {
            switch (step) {
                case Step.Put put -> write(put);
                case Step.Read read -> read(read.partition());
                case Step.Park park -> park(park);
                case Step.ExpireLater e -> asked.add(runtime.scheduleWriteOperation("expire", e.partition(),
                        s -> s.expireLater(e.key(), e.delayMs())));
                case Step.FailNextAppend f -> log.failNextAppend(f.partition(), f.tooLarge()
                        ? new RecordBatchTooLargeException("simulated") : new KafkaStorageException("simulated"));
                case Step.Commit c -> log.commit(c.partition());
                case Step.Advance a -> timer.advance(a.ms());
                case Step.RunOneEvent r -> loop.runNext();
                case Step.RunAllEvents r -> loop.runAll();
                case Step.Failover f -> {
                    if (led[f.partition()]) {
                        led[f.partition()] = false;
                        runtime.onResign(f.partition(), epochs[f.partition()]);
                        log.failover(f.partition());
                    }
                }
                case Step.Lead l -> {
                    if (!led[l.partition()]) {
                        lead(l.partition());
                    }
                }
                case Step.ReplicaAvailable a -> log.setAvailable(a.partition(), a.available());
            }
        }

        void write(Step.Put put) {
            String value = "v" + nextValue++;
            KvShard.Put record = new KvShard.Put(put.key(), value);
            CompletableFuture<String> answer = runtime.scheduleWriteOperation("put", put.partition(),
                    s -> put.applied() ? s.putApplied(put.key(), value) : s.put(put.key(), value));
            asked.add(answer);
            answer.thenAccept(v -> {
                int index = log.records(put.partition()).indexOf(record);
                if (index < 0 || index >= log.committedOffset(put.partition())) {
                    violations.add("AnswersOnlyAfterCommit: " + record + " answered at index " + index
                            + ", high watermark " + log.committedOffset(put.partition()));
                }
                acknowledged.put(record, put.partition());
            });
        }

        void read(int p) {
            CompletableFuture<KvShard.Snapshot> answer = runtime.scheduleReadOperation("get", p,
                    KvShard::snapshot);
            asked.add(answer);
            answer.thenAccept(snapshot -> {
                if (snapshot.applied() > log.committedOffset(p)) {
                    violations.add("AnswersOnlyAfterCommit: a read of " + snapshot.applied()
                            + " records answered at high watermark " + log.committedOffset(p));
                }
                List<KvShard.Put> records = log.records(p);
                if (snapshot.applied() > records.size()
                        || !replay(records.subList(0, (int) snapshot.applied())).equals(snapshot.values())) {
                    violations.add("ReadsSeeAPrefixOfTheLog: " + snapshot + " vs log " + records);
                }
            });
        }

        void park(Step.Park park) {
            CompletableFuture<String> answer = runtime.scheduleParkedOperation("await", park.partition(),
                    (KvShard s, CompletableFuture<String> f) -> s.await(park.key(), f));
            asked.add(answer);
            answer.thenAccept(v -> {
                if (v.equals(KvShard.UNLOADED)) {
                    return;
                }
                KvShard.Put record = new KvShard.Put(park.key(), v);
                int index = log.records(park.partition()).indexOf(record);
                if (index < 0 || index >= log.committedOffset(park.partition())) {
                    violations.add("AnswersOnlyAfterCommit: a parked request saw " + record + " at index "
                            + index + ", high watermark " + log.committedOffset(park.partition()));
                }
            });
        }

        void check(Step after) {
            assertThat(violations).as("after " + after).isEmpty();
            for (int p = 0; p < PARTITIONS; p++) {
                if (runtime.availability(p) != Errors.NONE) {
                    continue;
                }
                KvShard.Snapshot state = lastShard.get(p).snapshot();
                List<KvShard.Put> records = log.records(p);
                assertThat(state.applied()).as("StateIsReplayOfLog (count) of partition %d after %s", p, after)
                        .isEqualTo(records.size());
                assertThat(state.values()).as("StateIsReplayOfLog of partition %d after %s", p, after)
                        .isEqualTo(replay(records));
            }
        }

        /** Leads and commits everything and lets every deadline pass, so every request must be answered. */
        void settle() {
            for (int p = 0; p < PARTITIONS; p++) {
                log.setAvailable(p, true);
                if (!led[p]) {
                    lead(p);
                }
            }
            for (int round = 0; round < 5; round++) {
                loop.runAll();
                for (int p = 0; p < PARTITIONS; p++) {
                    log.commit(p);
                }
                timer.advance(COMMIT_TIMEOUT_MS + LOAD_RETRY_MS + 1_000);
            }
            loop.runAll();
            // Parked requests still waiting for a key nobody set are answered by the unload at close.
            runtime.close();
            loop.runAll();
            for (int p = 0; p < PARTITIONS; p++) {
                log.commit(p);
            }
        }

        static Map<String, String> replay(List<KvShard.Put> records) {
            Map<String, String> values = new TreeMap<>();
            for (KvShard.Put r : records) {
                if (r.value() == null) {
                    values.remove(r.key());
                } else {
                    values.put(r.key(), r.value());
                }
            }
            return values;
        }
    }

}
