package io.herald.broker.fetch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches, as it last described them, and what
 * this broker last told it about each, so a request need only name what changed and a response need only carry
 * what changed.
 *
 * <p>Partitions are keyed by topic id on v13+ sessions (requests name topics by id there) and by name before.
 * Their order is the order they are read in; a partition that returned records moves to the end, so under
 * {@code max_bytes} every partition gets its turn.
 *
 * <p>Thread-safety: all methods synchronized. A client sends a session's requests one at a time, so the lock
 * is uncontended in practice; it guards against a misbehaving client or an eviction racing a request.
 */
public final class FetchSession {
    /** A partition's identity in a session. */
    record Key(Uuid topicId, String topic, int partition) {}

    /** What the client asked for and what this broker last sent (-1: nothing yet). */
    private static final class Cached {
        PartitionFetch fetch;
        long sentHighWatermark = -1;
        long sentLogStartOffset = -1;
        long sentLastStableOffset = -1;

        Cached(PartitionFetch fetch) {
            this.fetch = fetch;
        }
    }

    private final int id;
    private final boolean usesTopicIds;
    private final LinkedHashMap<Key, Cached> partitions = new LinkedHashMap<>();
    private int nextEpoch = 1;
    private long lastUsedMs;

    FetchSession(int id, boolean usesTopicIds, List<PartitionFetch> initial, long nowMs) {
        this.id = id;
        this.usesTopicIds = usesTopicIds;
        this.lastUsedMs = nowMs;
        initial.forEach(p -> partitions.put(key(p), new Cached(p)));
    }

    public int id() {
        return id;
    }

    boolean usesTopicIds() {
        return usesTopicIds;
    }

    synchronized long lastUsedMs() {
        return lastUsedMs;
    }

    synchronized int size() {
        return partitions.size();
    }

    /** The epoch the client's next incremental request must carry. */
    synchronized int nextEpoch() {
        return nextEpoch;
    }

    /**
     * Applies an incremental request with the expected {@code epoch}: adds or replaces the partitions it names,
     * drops the forgotten ones, and returns every partition of the session to read, in session order.
     */
    synchronized List<PartitionFetch> update(int epoch, List<PartitionFetch> changed, List<Key> forgotten,
                                             long nowMs) {
        if (epoch != nextEpoch) {
            throw new IllegalStateException("epoch " + epoch + " (expected " + nextEpoch + ")");
        }
        nextEpoch = nextEpoch == Integer.MAX_VALUE ? 1 : nextEpoch + 1;
        lastUsedMs = nowMs;
        forgotten.forEach(partitions::remove);
        for (PartitionFetch p : changed) {
            Cached cached = partitions.get(key(p));
            if (cached == null) {
                partitions.put(key(p), new Cached(p));
            } else {
                cached.fetch = p;
            }
        }
        return partitions.values().stream().map(c -> c.fetch).toList();
    }

    /**
     * Keeps, of a response's partitions, those the client must hear about (records, an error, a diverging epoch,
     * a new high watermark, log start or last stable offset), and remembers what they carried. Partitions that
     * returned records move to the end of the session.
     *
     * @param incremental false for the full response that created the session: every partition is kept
     */
    synchronized List<PartitionData> filter(List<Keyed> responses, boolean incremental) {
        List<PartitionData> kept = new ArrayList<>();
        List<Key> rotate = new ArrayList<>();
        for (Keyed keyed : responses) {
            Cached cached = partitions.get(keyed.key());
            PartitionData pd = keyed.data();
            if (cached == null) {
                kept.add(pd); // forgotten by a request racing this one: say what was read anyway
                continue;
            }
            boolean hasRecords = pd.records() != null && pd.records().sizeInBytes() > 0;
            boolean changed = hasRecords || pd.errorCode() != 0 || pd.divergingEpoch().epoch() >= 0
                    || pd.highWatermark() != cached.sentHighWatermark
                    || pd.logStartOffset() != cached.sentLogStartOffset
                    || pd.lastStableOffset() != cached.sentLastStableOffset;
            if (pd.errorCode() == 0) {
                cached.sentHighWatermark = pd.highWatermark();
                cached.sentLogStartOffset = pd.logStartOffset();
                cached.sentLastStableOffset = pd.lastStableOffset();
            }
            if (hasRecords) {
                rotate.add(keyed.key());
            }
            if (changed || !incremental) {
                kept.add(pd);
            }
        }
        for (Key key : rotate) {
            Cached cached = partitions.remove(key);
            partitions.put(key, cached);
        }
        return kept;
    }

    Key key(PartitionFetch p) {
        return key(p.topicId(), p.topic(), p.partition());
    }

    Key key(Uuid topicId, String topic, int partition) {
        return usesTopicIds ? new Key(topicId, "", partition) : new Key(Uuid.ZERO_UUID, topic, partition);
    }

    /** A response partition with the session key of the partition it answers. */
    record Keyed(Key key, PartitionData data) {}

    @Override
    public synchronized String toString() {
        return "FetchSession[" + id + ", epoch " + nextEpoch + ", " + partitions.size() + " partitions]";
    }

    /** For tests: the partitions in session order. */
    synchronized List<Key> keys() {
        return new ArrayList<>(partitions.keySet());
    }
}
