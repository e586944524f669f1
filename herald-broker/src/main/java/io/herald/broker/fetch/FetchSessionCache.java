package io.herald.broker.fetch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;
import io.herald.common.time.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's incremental fetch sessions (KIP-227), and the rules that turn a Fetch request's session id and
 * epoch into a {@link FetchContext}:
 *
 * <ul>
 *   <li>session id 0, epoch -1: a full fetch without a session (followers, librdkafka, old clients);</li>
 *   <li>epoch 0: a full fetch that opens a session (closing the one named, if any); the response carries the new
 *       session's id, or 0 when no slot is free;</li>
 *   <li>a session id with epoch -1: closes that session, then a full fetch without one;</li>
 *   <li>a session id with epoch > 0: an incremental fetch: FETCH_SESSION_ID_NOT_FOUND for an unknown session,
 *       INVALID_FETCH_SESSION_EPOCH for an epoch other than the expected one, FETCH_SESSION_TOPIC_ID_ERROR when
 *       the request's version names topics differently from the session's first request;</li>
 *   <li>session id 0 with any other epoch: INVALID_FETCH_SESSION_EPOCH.</li>
 * </ul>
 *
 * <p>Capacity: {@code max.incremental.fetch.session.cache.slots} sessions (Kafka's default 1000; 0 turns
 * sessions off). When full, a new session takes the slot of the least recently used one if that has been idle
 * for {@value #EVICTION_IDLE_MS} ms; otherwise the client gets no session and keeps sending full fetches.
 *
 * <p>Thread-safety: thread-safe (this object's monitor guards the map; sessions guard themselves).
 */
public final class FetchSessionCache {
    private static final Logger log = LoggerFactory.getLogger(FetchSessionCache.class);
    /** Kafka's {@code min.incremental.fetch.session.eviction.ms} default. */
    static final long EVICTION_IDLE_MS = 120_000;
    static final int INITIAL_EPOCH = 0;
    static final int FINAL_EPOCH = -1;
    /** The first Fetch version that names topics by id. */
    private static final short TOPIC_ID_VERSION = 13;

    private final int maxSlots;
    private final Time time;
    private final Map<Integer, FetchSession> sessions = new HashMap<>(); // guarded by this

    public FetchSessionCache(int maxSlots, Time time) {
        if (maxSlots < 0) {
            throw new IllegalArgumentException("max.incremental.fetch.session.cache.slots: " + maxSlots
                    + " (expected: >= 0)");
        }
        this.maxSlots = maxSlots;
        this.time = time;
    }

    /**
     * How to serve a request. {@code requested} are the partitions the request names (all of them for a full
     * fetch, the added or changed ones for an incremental one), resolved against the current image.
     */
    public FetchContext context(FetchRequestData data, short version, List<PartitionFetch> requested) {
        int sessionId = data.sessionId();
        int epoch = data.sessionEpoch();
        boolean usesTopicIds = version >= TOPIC_ID_VERSION;
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH) {
            if (sessionId != 0) {
                remove(sessionId);
            }
            if (epoch == FINAL_EPOCH) {
                return FetchContext.sessionless(requested);
            }
            return create(usesTopicIds, requested).map(s -> FetchContext.full(requested, s))
                    .orElseGet(() -> FetchContext.sessionless(requested));
        }
        if (sessionId == 0 || epoch < 0) {
            return FetchContext.error(Errors.INVALID_FETCH_SESSION_EPOCH);
        }
        FetchSession session;
        synchronized (this) {
            session = sessions.get(sessionId);
        }
        if (session == null) {
            return FetchContext.error(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        if (session.usesTopicIds() != usesTopicIds) {
            return FetchContext.error(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        }
        if (session.nextEpoch() != epoch) {
            return FetchContext.error(Errors.INVALID_FETCH_SESSION_EPOCH);
        }
        List<FetchSession.Key> forgotten = new ArrayList<>();
        for (FetchRequestData.ForgottenTopic topic : data.forgottenTopicsData()) {
            for (int partition : topic.partitions()) {
                forgotten.add(session.key(topic.topicId(), topic.topic(), partition));
            }
        }
        try {
            return FetchContext.incremental(session.update(epoch, requested, forgotten, time.milliseconds()), session);
        } catch (IllegalStateException e) {
            return FetchContext.error(Errors.INVALID_FETCH_SESSION_EPOCH); // a concurrent request took the epoch
        }
    }

    private synchronized Optional<FetchSession> create(boolean usesTopicIds, List<PartitionFetch> partitions) {
        if (maxSlots == 0) {
            return Optional.empty();
        }
        long now = time.milliseconds();
        if (sessions.size() >= maxSlots) {
            FetchSession idlest = sessions.values().stream()
                    .min(java.util.Comparator.comparingLong(FetchSession::lastUsedMs)).orElseThrow();
            if (now - idlest.lastUsedMs() < EVICTION_IDLE_MS) {
                return Optional.empty();
            }
            sessions.remove(idlest.id());
            log.debug("Evicted idle fetch session {} for a new one", idlest);
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, usesTopicIds, partitions, now);
        sessions.put(id, session);
        return Optional.of(session);
    }

    private synchronized void remove(int sessionId) {
        sessions.remove(sessionId);
    }

    /** Sessions held now. */
    public synchronized int size() {
        return sessions.size();
    }
}
