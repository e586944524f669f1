package io.herald.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.group.config.ShareGroupSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.protocol.Errors;

/**
 * A share-partition against a per-offset reference model, under seeded random sequences of appends, fetches
 * (either acquire mode, any MaxRecords and batch size), acknowledgements of every type (whole ranges, per-offset
 * types, several batches, wrong members, ranges past the window), failed writes, session releases, clock moves that
 * expire locks and end retry backoffs, log start moves (retention, DeleteRecords), group config changes, and leader
 * changes that reload from the persister.
 *
 * <p>The model knows, per offset: state, delivery count, holder, lock deadline, backoff end, and what was last
 * persisted. Which records a fetch hands out is the engine's choice (Kafka's batching rules); the model checks that
 * choice and then follows it. Named invariants, checked after every step:
 * <ul>
 *   <li>{@code SingleHolder}: a fetch hands out only records that are available now (none acquired, none in
 *       backoff, none done), each with its delivery count plus one;</li>
 *   <li>{@code Liveness}: a fetch hands out something exactly when something is acquirable;</li>
 *   <li>{@code Agreement}: every record's state, count and holder equal the model's;</li>
 *   <li>{@code CountsOnlyGrow}: between leader changes delivery counts never decrease; a new leader resets a count
 *       to its last persisted value (Kafka does not persist acquisitions), never below it;</li>
 *   <li>{@code TerminalIsForever}: acknowledged and archived records never come back;</li>
 *   <li>{@code StartNeverMovesBack}: the start offset never decreases, also across a reload;</li>
 *   <li>{@code AcknowledgementsAllOrNothing}: a request's acknowledgements succeed exactly when the model says every
 *       offset they name at or above the start offset is held by the member (and RENEW is allowed), and change
 *       nothing otherwise except renewals made before the failing offset, as in Kafka;</li>
 *   <li>{@code ReloadKeepsWhatWasWritten}: after a reload every record equals its persisted state, acquired ones
 *       available.</li>
 * </ul>
 */
class SharePartitionPropertyTest {
    private static final int STEPS = 300;

    @Property(tries = 1500)
    void invariantsHold(@ForAll long seed) {
        new Simulation(seed).run();
    }

    @Example
    void regressionSeeds() {
        for (long seed : new long[] {1L, 42L, -7L, 20261202L}) {
            new Simulation(seed).run();
        }
    }

    private static final class Rec {
        RecordState state = RecordState.AVAILABLE;
        int count;
        String member = "";
        long deadline;
        long availableAt;
        RecordState persistedState;
        int persistedCount;

        boolean acquirable(long now) {
            return state == RecordState.AVAILABLE && availableAt <= now;
        }
    }

    private static final class Simulation {
        private final Random random;
        private final ShareFixture f = new ShareFixture();
        private final ModelPersister persister = (ModelPersister) f.persister;
        private final TreeMap<Long, Rec> model = new TreeMap<>();
        private final Map<Long, Integer> previousCounts = new HashMap<>();
        private long start;
        private final String[] members = {"m0", "m1", "m2"};
        private String trace = "";

        Simulation(long seed) {
            random = new Random(seed);
            f.update(b -> b.lockMs(100 + random.nextInt(900)).deliveryLimit(2 + random.nextInt(4))
                    .maxLocks(5 + random.nextInt(40)).renew(random.nextBoolean())
                    .backoff(random.nextBoolean() ? 0 : 10 + random.nextInt(100), 400, 2.0));
            f.load();
        }

        private ShareGroupSettings settings() {
            return f.settings.get();
        }

        private long now() {
            return f.time.milliseconds();
        }

        void run() {
            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(100);
                if (op < 15) {
                    append();
                } else if (op < 45) {
                    fetch();
                } else if (op < 75) {
                    acknowledge();
                } else if (op < 80) {
                    failingAcknowledge();
                } else if (op < 85) {
                    release();
                } else if (op < 94) {
                    advance();
                } else if (op < 96) {
                    deleteRecords();
                } else if (op < 98) {
                    reload();
                } else {
                    changeSettings();
                }
                checkAgreement("step " + step + " " + trace);
            }
        }

        private void append() {
            int n = 1 + random.nextInt(5);
            long first = f.log.logEndOffset();
            f.log.append(n);
            for (long o = first; o < first + n; o++) {
                model.put(o, new Rec());
            }
            trace = "append " + n;
        }

        /** Retention or DeleteRecords moves the log start; the share-partition notices at its next fetch. */
        private void deleteRecords() {
            long end = f.log.logEndOffset();
            if (end <= start) {
                return;
            }
            long to = start + random.nextInt((int) Math.min(12, end - start) + 1);
            trace = "delete before " + to;
            f.log.deleteBefore(Math.max(to, f.log.logStartOffset()));
        }

        /** What the share-partition does first on a fetch: follow a moved log start. */
        private void followLogStart() {
            long logStart = f.log.logStartOffset();
            if (logStart <= start) {
                return;
            }
            for (Map.Entry<Long, Rec> e : model.subMap(start, true, logStart, false).entrySet()) {
                if (e.getValue().state == RecordState.AVAILABLE) {
                    e.getValue().state = RecordState.ARCHIVED; // below the log start, never written
                }
            }
            start = logStart;
            advanceStart();
        }

        private void fetch() {
            followLogStart();
            String member = members[random.nextInt(members.length)];
            AcquireMode mode = random.nextBoolean() ? AcquireMode.BATCH_OPTIMIZED : AcquireMode.RECORD_LIMIT;
            int maxRecords = 1 + random.nextInt(15);
            int batchSize = 1 + random.nextInt(8);
            boolean expectSome = somethingAcquirable();
            trace = "fetch " + member + " " + mode + " max " + maxRecords + " batch " + batchSize;
            SharePartition.Fetch fetch = f.fetch(member, mode, maxRecords, batchSize);
            assertThat(!fetch.acquired().isEmpty()).as("Liveness: %s with %s", trace, model()).isEqualTo(expectSome);
            long previousLast = Long.MIN_VALUE;
            long total = 0;
            for (AcquiredRange r : fetch.acquired()) {
                assertThat(r.firstOffset()).as("ranges in order, disjoint").isGreaterThan(previousLast);
                previousLast = r.lastOffset();
                for (long o = r.firstOffset(); o <= r.lastOffset(); o++) {
                    Rec rec = model.get(o);
                    assertThat(rec).as("offset %d exists", o).isNotNull();
                    assertThat(o).as("SingleHolder: %d not below the start", o).isGreaterThanOrEqualTo(start);
                    assertThat(rec.acquirable(now())).as("SingleHolder: %d was acquirable (%s)", o, rec.state)
                            .isTrue();
                    assertThat(r.deliveryCount()).as("delivery count of %d", o).isEqualTo(rec.count + 1);
                    rec.state = RecordState.ACQUIRED;
                    rec.count++;
                    rec.member = member;
                    rec.deadline = now() + settings().recordLockDurationMs();
                    total++;
                }
            }
            assertThat(fetch.acquiredCount()).isEqualTo(total);
            if (mode == AcquireMode.RECORD_LIMIT) {
                assertThat(total).as("record_limit takes at most MaxRecords").isLessThanOrEqualTo(maxRecords);
            }
        }

        /** Something is acquirable in the window, or the window has room and the log has more. */
        private boolean somethingAcquirable() {
            long end = Math.max(start, f.sp.endOffset()); // the engine follows a moved log start during the fetch
            for (Map.Entry<Long, Rec> e : model.subMap(start, true, end, false).entrySet()) {
                if (e.getValue().acquirable(now())) {
                    return true;
                }
            }
            long inFlight = f.sp.inFlight().isEmpty() ? 0 : end - start;
            return inFlight < settings().partitionMaxRecordLocks() && f.log.logEndOffset() > end;
        }

        /** A request's batches: usually a run the member holds, sometimes anything near the window. */
        private List<AcknowledgementBatch> randomBatches(String member) {
            List<AcknowledgementBatch> batches = new ArrayList<>();
            int n = 1 + (random.nextInt(4) == 0 ? 1 : 0);
            long from = Math.max(0, start - 2);
            for (int i = 0; i < n; i++) {
                long first;
                long last;
                List<Long> held = new ArrayList<>();
                model.forEach((o, r) -> {
                    if (r.state == RecordState.ACQUIRED && r.member.equals(member)) {
                        held.add(o);
                    }
                });
                if (!held.isEmpty() && random.nextInt(4) != 0) {
                    first = held.get(random.nextInt(held.size()));
                    last = first;
                    while (random.nextInt(3) != 0 && model.containsKey(last + 1)
                            && model.get(last + 1).state == RecordState.ACQUIRED
                            && model.get(last + 1).member.equals(member)) {
                        last++;
                    }
                } else {
                    long bound = f.log.logEndOffset() + 2;
                    first = from + random.nextInt((int) Math.max(1, bound - from));
                    last = first + random.nextInt(4);
                }
                if (first < from) {
                    continue;
                }
                List<Byte> types = new ArrayList<>();
                if (random.nextInt(4) == 0 && last > first) {
                    for (long o = first; o <= last; o++) {
                        types.add(randomType());
                    }
                } else {
                    types.add(randomType());
                }
                batches.add(new AcknowledgementBatch(first, last, types));
                from = last + 1;
            }
            return batches;
        }

        private byte randomType() {
            int t = random.nextInt(10);
            AcknowledgeType type = t < 4 ? AcknowledgeType.ACCEPT : t < 6 ? AcknowledgeType.RELEASE
                    : t < 8 ? AcknowledgeType.REJECT : t < 9 ? AcknowledgeType.RENEW : AcknowledgeType.GAP;
            return type.id();
        }

        /** The model's verdict on a request: where it fails, if it does, and what it does. */
        private record Verdict(boolean ok, List<long[]> renewals, Map<Long, RecordState> transitions) {}

        private Verdict judge(String member, List<AcknowledgementBatch> batches) {
            long end = f.sp.endOffset();
            boolean windowEmpty = f.sp.inFlight().isEmpty();
            List<long[]> renewals = new ArrayList<>();
            Map<Long, RecordState> transitions = new HashMap<>();
            for (AcknowledgementBatch b : batches) {
                if (b.lastOffset() < start) {
                    continue;
                }
                if (windowEmpty || b.lastOffset() >= end) {
                    return new Verdict(false, renewals, transitions);
                }
                for (long o = Math.max(b.firstOffset(), start); o <= b.lastOffset(); o++) {
                    Rec r = model.get(o);
                    if (r == null || r.state != RecordState.ACQUIRED || !r.member.equals(member)) {
                        return new Verdict(false, renewals, transitions);
                    }
                    AcknowledgeType type = AcknowledgeType.forId(b.typeOf(o)).orElseThrow();
                    switch (type) {
                        case RENEW -> {
                            if (!settings().renewAcknowledgeEnable()) {
                                return new Verdict(false, renewals, transitions);
                            }
                            renewals.add(new long[] {o});
                        }
                        case ACCEPT -> transitions.put(o, RecordState.ACKNOWLEDGED);
                        case GAP, REJECT -> transitions.put(o, RecordState.ARCHIVED);
                        case RELEASE -> transitions.put(o, r.count >= settings().deliveryCountLimit()
                                ? RecordState.ARCHIVED : RecordState.AVAILABLE);
                    }
                }
            }
            return new Verdict(true, renewals, transitions);
        }

        private void acknowledge() {
            String member = members[random.nextInt(members.length)];
            List<AcknowledgementBatch> batches = randomBatches(member);
            if (batches.isEmpty()) {
                return;
            }
            trace = "ack " + member + " " + batches;
            Verdict v = judge(member, batches);
            CompletableFuture<Void> done = f.sp.acknowledge(member, batches);
            assertThat(done.isDone()).isTrue();
            assertThat(!done.isCompletedExceptionally()).as("AcknowledgementsAllOrNothing: %s on %s", trace, model())
                    .isEqualTo(v.ok());
            applyRenewals(v);
            if (v.ok()) {
                applyTransitions(v);
            }
        }

        private void failingAcknowledge() {
            String member = members[random.nextInt(members.length)];
            List<AcknowledgementBatch> batches = randomBatches(member);
            Verdict v = judge(member, batches);
            if (!v.ok() || v.transitions().isEmpty()) {
                return;
            }
            trace = "failing ack " + member + " " + batches;
            persister.failNextWrites(Errors.COORDINATOR_NOT_AVAILABLE);
            CompletableFuture<Void> done = f.sp.acknowledge(member, batches);
            try {
                done.join();
                throw new AssertionError("the write failed, so must the acknowledgement");
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(CoordinatorNotAvailableException.class);
            }
            applyRenewals(v); // the records are held again, with the renewed locks
        }

        private void applyRenewals(Verdict v) {
            for (long[] o : v.renewals()) {
                model.get(o[0]).deadline = now() + settings().recordLockDurationMs();
            }
        }

        private void applyTransitions(Verdict v) {
            v.transitions().forEach((o, state) -> {
                Rec r = model.get(o);
                r.state = state;
                r.member = "";
                if (state == RecordState.AVAILABLE) {
                    r.availableAt = now() + settings().retryBackoffFor(r.count);
                }
                r.persistedState = state;
                r.persistedCount = r.count;
            });
            advanceStart();
        }

        private void release() {
            String member = members[random.nextInt(members.length)];
            trace = "release " + member;
            f.sp.releaseAcquiredRecords(member).join();
            for (Map.Entry<Long, Rec> e : model.entrySet()) {
                Rec r = e.getValue();
                if (r.state == RecordState.ACQUIRED && r.member.equals(member) && e.getKey() < start) {
                    r.state = RecordState.ARCHIVED;
                    r.member = "";
                } else if (r.state == RecordState.ACQUIRED && r.member.equals(member)) {
                    r.state = r.count >= settings().deliveryCountLimit() ? RecordState.ARCHIVED
                            : RecordState.AVAILABLE;
                    r.member = "";
                    r.availableAt = now() + settings().retryBackoffFor(r.count);
                    r.persistedState = r.state;
                    r.persistedCount = r.count;
                }
            }
            advanceStart();
        }

        private void advance() {
            long ms = 1 + random.nextInt(settings().recordLockDurationMs() * 3 / 2);
            trace = "advance " + ms;
            long target = now() + ms;
            // Locks run out at their deadlines, in order, with the settings of that moment (unchanged here).
            TreeMap<Long, List<Long>> byDeadline = new TreeMap<>();
            model.forEach((o, r) -> {
                if (r.state == RecordState.ACQUIRED && r.deadline <= target) {
                    byDeadline.computeIfAbsent(r.deadline, d -> new ArrayList<>()).add(o);
                }
            });
            f.timer.advance(ms);
            byDeadline.forEach((deadline, offsets) -> {
                for (long o : offsets) {
                    Rec r = model.get(o);
                    r.member = "";
                    if (o < start) {
                        r.state = RecordState.ARCHIVED;
                        continue;
                    }
                    if (r.count >= settings().deliveryCountLimit()) {
                        r.state = RecordState.ARCHIVED;
                    } else {
                        r.state = RecordState.AVAILABLE;
                        r.availableAt = deadline + settings().retryBackoffFor(r.count);
                    }
                    r.persistedState = r.state;
                    r.persistedCount = r.count;
                }
            });
            advanceStart();
        }

        private void reload() {
            trace = "reload";
            f.sp.fence(); // as the manager drops it on a leader change
            f.load();
            for (Map.Entry<Long, Rec> e : model.entrySet()) {
                Rec r = e.getValue();
                if (e.getKey() >= start && !(r.persistedState != null && r.persistedState.isTerminal())) {
                    r.state = RecordState.AVAILABLE;
                    r.count = r.persistedState == null ? 0 : r.persistedCount;
                    r.member = "";
                    r.availableAt = 0;
                }
            }
            previousCounts.clear(); // CountsOnlyGrow restarts from the persisted counts
            model.forEach((o, r) -> previousCounts.put(o, r.count));
        }

        private void changeSettings() {
            trace = "settings";
            f.update(b -> b.renew(random.nextBoolean()).lockMs(100 + random.nextInt(900))
                    .backoff(random.nextBoolean() ? 0 : 10 + random.nextInt(100), 400, 2.0));
        }

        private void advanceStart() {
            long end = f.sp.endOffset();
            while (start < end && model.containsKey(start) && model.get(start).state.isTerminal()) {
                start++;
            }
        }

        private void checkAgreement(String where) {
            long spStart = f.sp.startOffset();
            assertThat(spStart).as("StartNeverMovesBack / start agrees at %s", where).isEqualTo(start);
            assertThat(persister.startOffset(ShareFixture.KEY)).as("persisted start at %s", where)
                    .isLessThanOrEqualTo(spStart);
            long end = f.sp.endOffset();
            for (Map.Entry<Long, Rec> e : model.tailMap(start, true).entrySet()) {
                long o = e.getKey();
                Rec r = e.getValue();
                Optional<SharePartition.RecordView> view = f.at(o);
                if (o >= end) {
                    assertThat(view).as("%d past the window at %s", o, where).isEmpty();
                    assertThat(r.state).as("%d past the window is new at %s", o, where)
                            .isEqualTo(RecordState.AVAILABLE);
                    continue;
                }
                assertThat(view).as("%d in the window at %s", o, where).isPresent();
                SharePartition.RecordView v = view.get();
                assertThat(v.state()).as("Agreement: state of %d at %s", o, where).isEqualTo(r.state);
                assertThat(v.deliveryCount()).as("Agreement: count of %d at %s", o, where).isEqualTo(r.count);
                assertThat(v.memberId()).as("Agreement: holder of %d at %s", o, where).isEqualTo(r.member);
                assertThat(v.pending()).isFalse();
                Integer before = previousCounts.get(o);
                assertThat(r.count).as("CountsOnlyGrow: %d at %s", o, where)
                        .isGreaterThanOrEqualTo(before == null ? 0 : before);
                if (r.persistedState != null && r.persistedState.isTerminal()) {
                    assertThat(r.state).as("TerminalIsForever: %d at %s", o, where).isEqualTo(r.persistedState);
                }
            }
            model.forEach((o, r) -> previousCounts.put(o, r.count));
        }

        private String model() {
            StringBuilder sb = new StringBuilder("start=" + start + " end=" + f.sp.endOffset() + " now=" + now()
                    + " {");
            model.tailMap(Math.max(0, start - 1), true).forEach((o, r) -> sb.append(o).append(':').append(r.state)
                    .append('x').append(r.count).append(r.member.isEmpty() ? "" : "@" + r.member)
                    .append(r.availableAt > now() ? "(backoff)" : "").append(' '));
            return sb.append('}').toString();
        }
    }
}
