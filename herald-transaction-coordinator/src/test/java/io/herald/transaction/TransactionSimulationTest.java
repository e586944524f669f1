package io.herald.transaction;

import static io.herald.transaction.CoordinatorHarness.addByLeader;
import static io.herald.transaction.CoordinatorHarness.addV3;
import static io.herald.transaction.CoordinatorHarness.end;
import static io.herald.transaction.CoordinatorHarness.init;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.transaction.record.TransactionRecord;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * Seeded simulation of the transaction coordinator: producers (two client instances per transactional id, so one
 * is often a zombie) that init, add partitions (as clients, TV_0, or through the partition leader, TV_2) and end
 * transactions, against a marker channel that delays writes and fails those of a fenced coordinator epoch, with
 * the ISR lagging, appends failing, timeouts firing, leadership moving and coordinators failing over (the
 * uncommitted suffix lost). Named invariants are checked after every step; at the end, with the faults stopped,
 * every transaction must complete.
 */
class TransactionSimulationTest {
    private static final int STEPS = 300;
    private static final List<String> IDS = List.of("a", "b", "c", "d");
    private static final List<TopicPartition> DATA = List.of(new TopicPartition("t", 0), new TopicPartition("t", 1),
            new TopicPartition("u", 0));

    @Property(tries = 40)
    void invariantsHoldUnderFaults(@ForAll long seed) {
        new Simulation(seed).run();
    }

    /** One client instance of a transactional id. */
    private static final class Client {
        final String id;
        final int instance;
        final boolean tv2;
        long producerId = -1;
        short epoch = -1;
        boolean busy;

        Client(String id, int instance, boolean tv2) {
            this.id = id;
            this.instance = instance;
            this.tv2 = tv2;
        }
    }

    /**
     * One transaction: its producer id and epoch, and how many transactions of that producer id and epoch completed
     * before it (with TV_0 a producer's transactions share an epoch; with TV_2 each has its own, so it is 0).
     */
    private record Txn(long producerId, short epoch, int completedBefore) {
    }

    private static final class Simulation {
        private final Random random;
        private final CoordinatorHarness h = new CoordinatorHarness();
        private final List<Client> clients = new ArrayList<>();
        /** Every marker write ever issued: the outcomes of each transaction across all of them. */
        private final Map<Txn, Set<TransactionResult>> outcomes = new HashMap<>();
        /** Writes the channel completed: the partitions that have the marker of each transaction. */
        private final Map<Txn, Set<TopicPartition>> written = new HashMap<>();
        /** The transaction of each write, found when the write was issued. */
        private final Map<FakeMarkerChannel.Write, Txn> writeTxn = new java.util.IdentityHashMap<>();
        private int observed;
        /** Which client instance first got each (id, producer id, epoch) in a successful answer. */
        private final Map<String, Integer> holders = new HashMap<>();
        private int handled;

        Simulation(long seed) {
            this.random = new Random(seed);
            for (String id : IDS) {
                boolean tv2 = random.nextBoolean();
                clients.add(new Client(id, 0, tv2));
                clients.add(new Client(id, 1, tv2));
            }
            h.leadAll();
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                act();
                observeWrites();
                checkInvariants("step " + step);
            }
            quiesce();
            checkInvariants("quiet");
            everyPreparedTransactionCompletes();
            aNewTransactionCommitsOnceQuiet();
        }

        private void act() {
            int dice = random.nextInt(100);
            if (dice < 45) {
                request(clients.get(random.nextInt(clients.size())));
            } else if (dice < 65) {
                deliverMarkers();
            } else if (dice < 80) {
                h.log.commit(random.nextInt(CoordinatorHarness.PARTITIONS));
            } else if (dice < 88) {
                h.timer.advance(random.nextInt(8_000));
            } else if (dice < 92) {
                h.log.failNextAppend(random.nextInt(CoordinatorHarness.PARTITIONS),
                        new NotEnoughReplicasException("simulated"));
            } else if (dice < 95) {
                moveLeadershipHere();
            } else if (dice < 97) {
                h.failover();
                clients.forEach(c -> c.busy = false); // answers of the old coordinator may never come
            }
            h.loop.runAll();
        }

        private void request(Client c) {
            if (c.busy) {
                return;
            }
            c.busy = true;
            int choice = c.producerId < 0 ? 0 : random.nextInt(10);
            if (choice == 0) {
                // Timeouts between 5 and 20 s: some transactions outlive them.
                handle(c, h.coordinator.initProducerId(init(c.id, 5_000 + random.nextInt(15_000)), (short) 5)
                        .thenApply(r -> {
                            if (r.errorCode() == 0) {
                                gave(c, r.producerId(), r.producerEpoch());
                            }
                            return null;
                        }));
            } else if (choice < 7) {
                TopicPartition tp = DATA.get(random.nextInt(DATA.size()));
                var request = c.tv2 ? addByLeader(c.id, c.producerId, c.epoch, false, tp)
                        : addV3(c.id, c.producerId, c.epoch, tp);
                handle(c, h.coordinator.addPartitionsToTxn(request, c.tv2 ? (short) 5 : (short) 3)
                        .thenApply(r -> null));
            } else {
                boolean commit = random.nextBoolean();
                handle(c, h.coordinator.endTxn(end(c.id, c.producerId, c.epoch, commit), c.tv2 ? (short) 5
                        : (short) 4).thenApply(r -> {
                            if (r.errorCode() == 0 && c.tv2) {
                                gave(c, r.producerId(), r.producerEpoch());
                            }
                            return null;
                        }));
            }
        }

        private void handle(Client c, CompletableFuture<Void> answered) {
            answered.whenComplete((ok, error) -> {
                c.busy = false;
                handled++;
                assertThat(error).as("answers are responses, never failed futures").isNull();
            });
        }

        /** NoProducerTwoLiveEpochs: a (producer id, epoch) of an id is handed to one client instance only. */
        private void gave(Client c, long producerId, short epoch) {
            Integer first = holders.putIfAbsent(c.id + "/" + producerId + "/" + epoch, c.instance);
            assertThat(first == null || first == c.instance)
                    .as("NoProducerTwoLiveEpochs: %s producer id %d epoch %d given to instances %s and %d", c.id,
                            producerId, epoch, first, c.instance).isTrue();
            c.producerId = producerId;
            c.epoch = epoch;
        }

        private void deliverMarkers() {
            List<FakeMarkerChannel.Write> pending = h.markers.pending();
            if (pending.isEmpty()) {
                return;
            }
            FakeMarkerChannel.Write w = pending.get(random.nextInt(pending.size()));
            if (w.markers().coordinatorEpoch() < h.leaderEpoch) {
                // The partition leaders have seen a newer coordinator epoch for this producer.
                w.future().completeExceptionally(new NotCoordinatorException("coordinator epoch fenced"));
            } else {
                written.computeIfAbsent(writeTxn.get(w), k -> new HashSet<>()).addAll(w.markers().partitions());
                w.future().complete(null);
            }
        }

        private void moveLeadershipHere() {
            // Leadership leaves and comes back at a higher epoch without losing the log: a reload.
            for (int p = 0; p < CoordinatorHarness.PARTITIONS; p++) {
                h.coordinator.onResign(p, h.leaderEpoch);
            }
            h.leaderEpoch++;
            for (int p = 0; p < CoordinatorHarness.PARTITIONS; p++) {
                h.coordinator.onBecomeLeader(p, h.leaderEpoch);
            }
        }

        /** Assigns each new write to its transaction: the markers leave before their own Complete record. */
        private void observeWrites() {
            for (; observed < h.markers.writes.size(); observed++) {
                FakeMarkerChannel.Write w = h.markers.writes.get(observed);
                TransactionMarkers m = w.markers();
                Txn txn = new Txn(m.producerId(), m.producerEpoch(), completions(
                        h.log.records(h.coordinator.partitionFor(m.transactionalId())), m.transactionalId(),
                        m.producerId(), m.producerEpoch(), Integer.MAX_VALUE));
                writeTxn.put(w, txn);
                outcomes.computeIfAbsent(txn, k -> new HashSet<>()).add(m.result());
            }
        }

        /** How many Prepare-to-Complete moves of (producer id, epoch) the first {@code upTo} records hold. */
        private static int completions(List<TransactionRecord> records, String id, long producerId, short epoch,
                                       int upTo) {
            int count = 0;
            TransactionMetadata before = null;
            for (int i = 0; i < Math.min(upTo, records.size()); i++) {
                TransactionRecord r = records.get(i);
                if (!r.transactionalId().equals(id)) {
                    continue;
                }
                TransactionMetadata m = r.value().orElse(null);
                if (before != null && m != null && before.state().isPrepare() && !m.state().isPrepare()
                        && before.producerId() == producerId && before.producerEpoch() == epoch) {
                    count++;
                }
                before = m;
            }
            return count;
        }

        private void checkInvariants(String when) {
            outcomes.forEach((pe, results) -> assertThat(results)
                    .as("OneOutcomePerTransaction %s (%s)", pe, when).hasSize(1));
            for (int p = 0; p < CoordinatorHarness.PARTITIONS; p++) {
                checkLog(h.log.records(p), when);
            }
        }

        /** StateFollowsTheLifecycle, EpochsNeverGoBack and CompleteOnlyAfterEveryMarker over one partition's log. */
        private void checkLog(List<TransactionRecord> records, String when) {
            Map<String, TransactionMetadata> last = new HashMap<>();
            for (int i = 0; i < records.size(); i++) {
                TransactionRecord r = records.get(i);
                Optional<TransactionMetadata> previous = Optional.ofNullable(last.get(r.transactionalId()));
                if (r.value().isEmpty()) {
                    assertThat(previous).as("a tombstone follows metadata (%s)", when).isPresent();
                    assertThat(previous.get().state().isExpirationAllowed())
                            .as("StateFollowsTheLifecycle: %s expired in %s (%s)", r.transactionalId(),
                                    previous.get().state(), when).isTrue();
                    last.remove(r.transactionalId());
                    continue;
                }
                TransactionMetadata m = r.value().get();
                if (previous.isEmpty()) {
                    assertThat(m.state()).as("StateFollowsTheLifecycle: first state of %s (%s)", m.transactionalId(),
                            when).isEqualTo(TransactionState.EMPTY);
                } else {
                    TransactionMetadata before = previous.get();
                    assertThat(m.state().canTransitionFrom(before.state()))
                            .as("StateFollowsTheLifecycle: %s from %s to %s (%s)", m.transactionalId(),
                                    before.state(), m.state(), when).isTrue();
                    if (m.producerId() == before.producerId()) {
                        assertThat(m.producerEpoch()).as("EpochsNeverGoBack: %s (%s)", m.transactionalId(), when)
                                .isGreaterThanOrEqualTo(before.producerEpoch());
                    }
                    if (before.state().isPrepare() && !m.state().isPrepare()) {
                        Txn txn = new Txn(before.producerId(), before.producerEpoch(), completions(records,
                                m.transactionalId(), before.producerId(), before.producerEpoch(), i));
                        Set<TopicPartition> markers = written.getOrDefault(txn, Set.of());
                        assertThat(markers).as("CompleteOnlyAfterEveryMarker: %s %s (%s)", m.transactionalId(),
                                m.state(), when).containsAll(before.partitions());
                    }
                }
                last.put(r.transactionalId(), m);
            }
        }

        /** With the faults stopped, every prepared transaction gets its markers and completes. */
        private void quiesce() {
            for (int round = 0; round < 50; round++) {
                h.settle();
                h.timer.advance(MarkerDriver.RETRY_BACKOFF_MS);
                observeWrites();
                while (!h.markers.pending().isEmpty()) {
                    deliverMarkers();
                    h.settle();
                    observeWrites();
                }
            }
        }

        private void everyPreparedTransactionCompletes() {
            for (String id : IDS) {
                h.metadata(id).ifPresent(m -> assertThat(m.state().isPrepare())
                        .as("%s still %s once quiet", id, m.state()).isFalse());
            }
            assertThat(handled).isPositive();
        }

        /**
         * Whatever the faults left behind, a new producer's transaction commits once they stopped: its markers are
         * written and it completes. (Whether any of the faulty run's transactions got that far depends on the
         * seed: a run can fence every one of them.)
         */
        private void aNewTransactionCommitsOnceQuiet() {
            String id = "after-faults";
            TopicPartition tp = DATA.get(0);
            var pid = retried(() -> h.coordinator.initProducerId(init(id, 60_000), (short) 5),
                    r -> Errors.forCode(r.errorCode()));
            retried(() -> h.coordinator.addPartitionsToTxn(addV3(id, pid.producerId(), pid.producerEpoch(), tp),
                    (short) 3), r -> AddPartitionsToTxnResponse.errorsForTransaction(r.resultsByTopicV3AndBelow()).get(tp));
            retried(() -> h.coordinator.endTxn(end(id, pid.producerId(), pid.producerEpoch(), true), (short) 4),
                    r -> Errors.forCode(r.errorCode()));
            quiesce();
            checkInvariants("after a transaction once quiet");
            assertThat(written.get(new Txn(pid.producerId(), pid.producerEpoch(), 0))).as("its markers").contains(tp);
            assertThat(h.metadata(id)).hasValueSatisfying(m -> assertThat(m.state())
                    .isEqualTo(TransactionState.COMPLETE_COMMIT));
        }

        /**
         * A request sent again while it fails retriably, as clients do: an append fault the run armed last may
         * still be waiting for the next write.
         */
        private <T> T retried(Supplier<CompletableFuture<T>> request, Function<T, Errors> error) {
            Errors last = Errors.NONE;
            for (int attempt = 0; attempt < 5; attempt++) {
                CompletableFuture<T> answer = request.get();
                h.settle();
                assertThat(answer).as("answered once settled").isCompleted();
                last = error.apply(answer.join());
                if (last == Errors.NONE) {
                    return answer.join();
                }
                assertThat(last.exception()).as("%s once quiet", last)
                        .isInstanceOf(RetriableException.class);
                h.timer.advance(MarkerDriver.RETRY_BACKOFF_MS);
            }
            throw new AssertionError("still " + last + " after 5 attempts once quiet");
        }
    }
}
