package io.herald.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.concurrent.ManualExecutor;
import io.herald.metadata.api.ProducerIdSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.junit.jupiter.api.Test;

class ProducerIdBlocksTest {
    /** The controller's side: consecutive blocks, and a record of who asked. */
    private static final class Blocks implements ProducerIdSource {
        final AtomicLong next = new AtomicLong();
        final List<Integer> askedBy = new ArrayList<>();

        @Override
        public synchronized long reserveProducerIds(int brokerId, int blockSize) {
            askedBy.add(brokerId);
            return next.getAndAdd(blockSize);
        }
    }

    private final Blocks controller = new Blocks();
    private final ManualExecutor fetcher = new ManualExecutor();
    private final ProducerIdBlocks ids = new ProducerIdBlocks(controller, 7, fetcher);

    @Test
    void theCoordinatorsCallNeverWaitsForTheControllerButAsksAgainLater() {
        assertThatThrownBy(ids::generateProducerId).isInstanceOf(CoordinatorLoadInProgressException.class);
        assertThat(controller.askedBy).isEmpty();
        assertThat(fetcher.queued()).isEqualTo(1);
        // a second call while the fetch is queued does not queue another
        assertThatThrownBy(ids::generateProducerId).isInstanceOf(CoordinatorLoadInProgressException.class);
        assertThat(fetcher.queued()).isEqualTo(1);

        fetcher.runAll();
        assertThat(controller.askedBy).containsExactly(7);
        assertThat(ids.generateProducerId()).isZero();
        assertThat(ids.generateProducerId()).isEqualTo(1);
    }

    @Test
    void theNextBlockIsFetchedBeforeTheCurrentOneRunsOut() {
        assertThat(ids.awaitProducerId()).isZero(); // fetched on this thread
        Set<Long> seen = new HashSet<>(Set.of(0L));
        for (int i = 1; i < ProducerIdBlocks.BLOCK_SIZE; i++) {
            seen.add(ids.generateProducerId());
            fetcher.runAll(); // the prefetch, queued once 90% is used
        }
        assertThat(controller.askedBy).hasSize(2);
        // no pause at the boundary: the next id comes from the prefetched block
        long first = ids.generateProducerId();
        assertThat(first).isEqualTo(ProducerIdBlocks.BLOCK_SIZE);
        seen.add(first);
        assertThat(seen).hasSize(ProducerIdBlocks.BLOCK_SIZE + 1);
    }

    @Test
    void idsAreUniqueAcrossThreads() throws Exception {
        ProducerIdBlocks shared = new ProducerIdBlocks(controller, 1, Runnable::run);
        Set<Long> all = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2_500; i++) {
                    assertThat(all.add(shared.awaitProducerId())).isTrue();
                }
            }));
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(all).hasSize(10_000);
    }

    @Test
    void aFailedFetchIsRetriedByTheNextCall() {
        ProducerIdSource failingOnce = new ProducerIdSource() {
            boolean failed;

            @Override
            public long reserveProducerIds(int brokerId, int blockSize) {
                if (!failed) {
                    failed = true;
                    throw new IllegalStateException("no controller quorum");
                }
                return 5000;
            }
        };
        ProducerIdBlocks blocks = new ProducerIdBlocks(failingOnce, 1, fetcher);
        assertThatThrownBy(blocks::generateProducerId).isInstanceOf(CoordinatorLoadInProgressException.class);
        fetcher.runAll(); // fails, logged
        assertThatThrownBy(blocks::generateProducerId).isInstanceOf(CoordinatorLoadInProgressException.class);
        fetcher.runAll();
        assertThat(blocks.generateProducerId()).isEqualTo(5000);
    }
}
