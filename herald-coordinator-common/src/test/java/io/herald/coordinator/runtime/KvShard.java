package io.herald.coordinator.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * A toy coordinator for runtime tests: string keys and values, written by {@link Put} records (a null value
 * deletes). Soft state: requests parked until a key is set. It counts the records it has replayed, which by the
 * runtime's first rule is the length of the log the state stands for.
 */
final class KvShard implements CoordinatorShard<KvShard.Put> {
    /** The toy's only record type. */
    record Put(String key, String value) {
    }

    /** A read: the state and how many records it stands for. */
    record Snapshot(Map<String, String> values, long applied) {
    }

    static final String UNLOADED = "unloaded";

    final CoordinatorShardContext<Put> context;
    private final Map<String, String> values = new TreeMap<>();
    private final Map<String, List<CompletableFuture<String>>> parked = new HashMap<>();
    /** Records of open transactions, by producer: they count only once committed. */
    private final Map<TransactionalProducer, List<Put>> pending = new HashMap<>();
    private long applied;
    boolean loadedCalled;

    KvShard(CoordinatorShardContext<Put> context) {
        this.context = context;
    }

    @Override
    public void replay(Put record) {
        if (record.value() == null) {
            values.remove(record.key());
        } else {
            values.put(record.key(), record.value());
        }
        applied++;
    }

    @Override
    public void replayTransactional(TransactionalProducer producer, Put record) {
        pending.computeIfAbsent(producer, p -> new ArrayList<>()).add(record);
        applied++;
    }

    @Override
    public void replayEndTransactionMarker(TransactionalProducer producer, TransactionResult result) {
        List<Put> records = pending.remove(producer);
        if (records != null && result == TransactionResult.COMMIT) {
            for (Put r : records) {
                if (r.value() == null) {
                    values.remove(r.key());
                } else {
                    values.put(r.key(), r.value());
                }
            }
        }
        applied++;
    }

    /** Whether the producer has records waiting for its transaction's end. */
    boolean hasPending(TransactionalProducer producer) {
        return pending.containsKey(producer);
    }

    @Override
    public void onLoaded() {
        loadedCalled = true;
    }

    @Override
    public void onUnloaded() {
        parked.values().forEach(list -> list.forEach(f -> f.complete(UNLOADED)));
        parked.clear();
    }

    Snapshot snapshot() {
        return new Snapshot(Map.copyOf(values), applied);
    }

    /** Records for the runtime to replay; wakes requests parked on the key. */
    CoordinatorResult<String, Put> put(String key, String value) {
        if (key.isEmpty()) {
            throw new InvalidRequestException("empty key");
        }
        wake(key, value);
        return CoordinatorResult.of(List.of(new Put(key, value)), "ok:" + value);
    }

    /** The same, applied by the operation itself (the KIP-848 style). */
    CoordinatorResult<String, Put> putApplied(String key, String value) {
        Put record = new Put(key, value);
        replay(record);
        wake(key, value);
        return CoordinatorResult.applied(List.of(record), "ok:" + value);
    }

    /** Parks until the key has a value (answers at once if it has one). */
    CoordinatorResult<Void, Put> await(String key, CompletableFuture<String> answer) {
        String v = values.get(key);
        if (v != null) {
            answer.complete(v);
        } else {
            parked.computeIfAbsent(key, k -> new ArrayList<>()).add(answer);
        }
        return CoordinatorResult.empty();
    }

    /** Deletes the key {@code delayMs} from now, by a timer task. */
    CoordinatorResult<String, Put> expireLater(String key, long delayMs) {
        context.timer().schedule("expire-" + key, delayMs,
                () -> values.containsKey(key) ? CoordinatorResult.of(List.of(new Put(key, null)), null)
                        : CoordinatorResult.empty());
        return CoordinatorResult.response("scheduled");
    }

    private void wake(String key, String value) {
        if (value == null) {
            return;
        }
        List<CompletableFuture<String>> waiting = parked.remove(key);
        if (waiting != null) {
            waiting.forEach(f -> f.complete(value));
        }
    }
}
