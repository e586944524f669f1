package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

    @Test
    void countsDistinctRecordsAndDuplicatesLikeAMapOfDeliveryCounts() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            long[] ends = IntStream.range(0, 1 + random.nextInt(6)).mapToLong(p -> random.nextInt(200)).toArray();
            DeliveryLedger ledger = new DeliveryLedger(ends);
            Map<String, Integer> model = new HashMap<>();
            long backlog = 0;
            for (long end : ends) {
                backlog += end;
            }
            for (int i = 0; i < 500 && backlog > 0; i++) {
                int p = random.nextInt(ends.length);
                if (ends[p] == 0) {
                    continue;
                }
                long offset = random.nextLong(ends[p]);
                boolean first = !model.containsKey(p + "@" + offset);
                model.merge(p + "@" + offset, 1, Integer::sum);
                assertThat(ledger.record(p, offset)).as("seed %d: first delivery of %d@%d", seed, p, offset)
                        .isEqualTo(first);
            }
            int deliveries = model.values().stream().mapToInt(Integer::intValue).sum();
            assertThat(ledger.backlog()).isEqualTo(backlog);
            assertThat(ledger.distinct()).as("seed %d", seed).isEqualTo(model.size());
            assertThat(ledger.deliveries()).as("seed %d", seed).isEqualTo(deliveries);
            assertThat(ledger.complete()).isEqualTo(model.size() == backlog);
            for (String missing : ledger.missing(10)) {
                assertThat(model).doesNotContainKey(missing);
            }
        }
    }

    @Test
    void isCompleteOnceEveryOffsetOfEveryPartitionWasDelivered() {
        DeliveryLedger ledger = new DeliveryLedger(new long[] {2, 0, 1});
        ledger.record(0, 1);
        ledger.record(2, 0);
        assertThat(ledger.complete()).isFalse();
        assertThat(ledger.missing(5)).containsExactly("0@0");
        ledger.record(0, 0);
        assertThat(ledger.complete()).isTrue();
        assertThat(ledger.missing(5)).isEmpty();
    }

    @Test
    void rejectsARecordOutsideTheBacklog() {
        DeliveryLedger ledger = new DeliveryLedger(new long[] {3});
        assertThatIllegalStateException().isThrownBy(() -> ledger.record(0, 3))
                .withMessageContaining("partition 0 offset 3").withMessageContaining("end offsets 0:3");
        assertThatIllegalStateException().isThrownBy(() -> ledger.record(1, 0));
    }

    @Test
    void concurrentDeliveriesOfTheSameOffsetsCountEachRecordOnceAsDistinct() throws Exception {
        int threads = 8;
        int offsets = 10_000;
        DeliveryLedger ledger = new DeliveryLedger(new long[] {offsets});
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = IntStream.range(0, threads).mapToObj(t -> Thread.ofPlatform().start(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            for (int o = 0; o < offsets; o++) {
                ledger.record(0, o);
            }
        })).toList();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(ledger.distinct()).isEqualTo(offsets);
        assertThat(ledger.deliveries()).isEqualTo((long) threads * offsets);
        assertThat(ledger.complete()).isTrue();
    }
}
