package io.herald.broker.txn;

import io.herald.metadata.api.ProducerIdSource;
import io.herald.transaction.ProducerIdGenerator;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's producer ids, from blocks the controller reserves durably (so an id is never handed out twice, even
 * across restarts), as Kafka's {@code RPCProducerIdManager}: the next block is fetched in the background once the
 * current one is {@value #PREFETCH_PERCENT}% used, so a caller never waits for the controller while ids are left.
 *
 * <p>Two ways to take an id: {@link #generateProducerId()} never blocks (the transaction coordinator's loop calls
 * it) and answers COORDINATOR_LOAD_IN_PROGRESS, which clients retry, when the block ran out before the next came;
 * {@link #awaitProducerId()} fetches the block itself when none is left (request threads, idempotent producers).
 *
 * <p>Thread-safe: the blocks are guarded by this object's monitor; the controller is called outside it.
 */
public final class ProducerIdBlocks implements ProducerIdGenerator {
    private static final Logger log = LoggerFactory.getLogger(ProducerIdBlocks.class);
    public static final int BLOCK_SIZE = 1000;
    private static final int PREFETCH_PERCENT = 90;

    /** A reserved range [first, first + size). */
    private record Block(long first, int size) {
        long end() {
            return first + size;
        }
    }

    private final ProducerIdSource source;
    private final int brokerId;
    private final Executor fetcher;
    private Block current;
    private long next;
    private Block prefetched;
    private boolean fetching;

    /** @param fetcher where a background fetch of the next block runs (it blocks on the controller) */
    public ProducerIdBlocks(ProducerIdSource source, int brokerId, Executor fetcher) {
        this.source = source;
        this.brokerId = brokerId;
        this.fetcher = fetcher;
    }

    @Override
    public long generateProducerId() {
        synchronized (this) {
            if (takeFromBlocks()) {
                return next++;
            }
            maybeFetchNext();
        }
        throw new CoordinatorLoadInProgressException("The next block of producer ids is being fetched");
    }

    /** An id, fetching a block on this thread when none is left. */
    public long awaitProducerId() {
        while (true) {
            synchronized (this) {
                if (takeFromBlocks()) {
                    return next++;
                }
            }
            Block block = reserve();
            synchronized (this) {
                if (prefetched == null) {
                    prefetched = block;
                }
                // else a background fetch won the race; this block's ids are simply never used, like a block
                // reserved by a broker that crashed
            }
        }
    }

    /** Whether {@link #next} is a usable id, switching to the prefetched block when the current one is used up. */
    private boolean takeFromBlocks() {
        if (current == null || next >= current.end()) {
            if (prefetched == null) {
                return false;
            }
            current = prefetched;
            next = current.first();
            prefetched = null;
        }
        if (prefetched == null && next - current.first() >= (long) current.size() * PREFETCH_PERCENT / 100) {
            maybeFetchNext();
        }
        return true;
    }

    private void maybeFetchNext() {
        if (fetching || prefetched != null) {
            return;
        }
        fetching = true;
        try {
            fetcher.execute(this::fetchInBackground);
        } catch (RejectedExecutionException e) {
            fetching = false; // shutting down
        }
    }

    private void fetchInBackground() {
        Block block = null;
        try {
            block = reserve();
        } catch (RuntimeException e) {
            log.warn("Reserving a block of producer ids failed; the next request tries again: {}", e.toString());
        }
        synchronized (this) {
            fetching = false;
            if (block != null && prefetched == null) {
                prefetched = block;
            }
        }
    }

    private Block reserve() {
        return new Block(source.reserveProducerIds(brokerId, BLOCK_SIZE), BLOCK_SIZE);
    }
}
