package io.herald.broker.share;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidShareSessionEpochException;
import org.apache.kafka.common.errors.ShareSessionLimitReachedException;
import org.apache.kafka.common.errors.ShareSessionNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share sessions (KIP-932; Kafka's {@code ShareSessionCache} and the context rules of
 * {@code SharePartitionManager.newContext}): per (group, member), the partitions a member fetches, so that a
 * ShareFetch names only what changed, and the session epoch that orders its requests.
 *
 * <p>Epochs: 0 opens a new session (replacing any the member had) and carries no acknowledgements; -1 is the
 * member's last request, after which the session is gone and its acquired records are released; anything else must
 * be the epoch the session expects next (INVALID_SHARE_SESSION_EPOCH otherwise), and moves it on (wrapping after
 * {@code Integer.MAX_VALUE} to 1). At most {@code group.share.max.share.sessions} sessions exist (2000); a new one
 * beyond that is SHARE_SESSION_LIMIT_REACHED. A session also ends when its member's connection closes.
 *
 * <p>Thread-safety: thread-safe (synchronized); nothing is called out under the monitor.
 */
public final class ShareSessionCache {
    private static final Logger log = LoggerFactory.getLogger(ShareSessionCache.class);

    public static final int INITIAL_EPOCH = 0;
    public static final int FINAL_EPOCH = -1;
    /** Kafka's {@code group.share.max.share.sessions} default. */
    public static final int DEFAULT_MAX_SESSIONS = 2000;

    public record Key(String groupId, String memberId) {
        public Key {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }
    }

    /** A session's partition, by topic id: the name may change meaning (a topic deleted and re-created). */
    private record Slot(Uuid topicId, int partition) {
        static Slot of(TopicIdPartition tp) {
            return new Slot(tp.topicId(), tp.partition());
        }
    }

    private static final class Session {
        final Key key;
        final String connectionId;
        /** The partitions, in the order they joined, each with whether the next response must name it. */
        final LinkedHashMap<Slot, Boolean> partitions = new LinkedHashMap<>();
        final Map<Slot, TopicIdPartition> names = new HashMap<>();
        int epoch;

        Session(Key key, String connectionId, int epoch) {
            this.key = key;
            this.connectionId = connectionId;
            this.epoch = epoch;
        }

        void add(TopicIdPartition tp, boolean mustRespond) {
            Slot slot = Slot.of(tp);
            if (!partitions.containsKey(slot)) {
                partitions.put(slot, mustRespond);
            }
            names.put(slot, tp);
        }

        List<TopicIdPartition> partitionList() {
            List<TopicIdPartition> out = new ArrayList<>();
            partitions.keySet().forEach(s -> out.add(names.get(s)));
            return out;
        }
    }

    /** What a ShareFetch works on, by its session epoch. */
    public sealed interface FetchContext {
        /** Epoch 0: a new session with exactly these partitions; the response names all of them. */
        record NewSession(Key key, List<TopicIdPartition> partitions) implements FetchContext {}

        /** A later epoch: every partition of the session; the response names only those with news. */
        record Subsequent(Key key, List<TopicIdPartition> partitions) implements FetchContext {}

        /** Epoch -1: no fetching, acknowledgements only; the session ends after them. */
        record Final(Key key) implements FetchContext {}

        Key key();
    }

    private final int maxSessions;
    private final Map<Key, Session> sessions = new HashMap<>();
    /** Connection → the session opened on it, and whether that session already ended another way (stale). */
    private final Map<String, ConnectionSession> connections = new HashMap<>();
    private final Map<String, Integer> membersPerGroup = new HashMap<>();

    private record ConnectionSession(Key key, boolean stale) {}

    public ShareSessionCache(int maxSessions) {
        if (maxSessions < 0) {
            throw new IllegalArgumentException("maxSessions: " + maxSessions + " (expected: >= 0)");
        }
        this.maxSessions = maxSessions;
    }

    /**
     * The context of a ShareFetch.
     *
     * @param partitions            the partitions the request names (its topics), topic names resolved where known
     * @param forgotten             the partitions it forgets
     * @param hasAcknowledgements   whether it carries acknowledgements (not allowed with epoch 0)
     * @param connectionId          the client connection, whose close ends a session opened on it
     * @throws ShareSessionNotFoundException, InvalidShareSessionEpochException, ShareSessionLimitReachedException,
     *         InvalidRequestException
     */
    public synchronized FetchContext newContext(String groupId, String memberId, int epoch,
                                                List<TopicIdPartition> partitions, List<TopicIdPartition> forgotten,
                                                boolean hasAcknowledgements, String connectionId) {
        Key key = new Key(groupId, memberId);
        if (epoch == FINAL_EPOCH) {
            if (!sessions.containsKey(key)) {
                throw new ShareSessionNotFoundException("No share session for member " + memberId + " of group "
                        + groupId);
            }
            return new FetchContext.Final(key);
        }
        if (epoch == INITIAL_EPOCH) {
            if (hasAcknowledgements) {
                throw new InvalidRequestException("Acknowledgements in the request that opens a share session");
            }
            Session old = sessions.get(key);
            if (old != null) {
                removeSession(old);
            }
            if (sessions.size() >= maxSessions) {
                throw new ShareSessionLimitReachedException("The broker has " + sessions.size()
                        + " share sessions, group.share.max.share.sessions");
            }
            Session session = new Session(key, connectionId, nextEpoch(INITIAL_EPOCH));
            for (TopicIdPartition tp : partitions) {
                session.add(tp, false);
            }
            sessions.put(key, session);
            membersPerGroup.merge(groupId, 1, Integer::sum);
            connections.put(connectionId, new ConnectionSession(key, false));
            log.debug("Opened share session {} with {} partition(s)", key, session.partitions.size());
            return new FetchContext.NewSession(key, session.partitionList());
        }
        Session session = sessions.get(key);
        if (session == null) {
            throw new ShareSessionNotFoundException("No share session for member " + memberId + " of group "
                    + groupId);
        }
        if (session.epoch != epoch) {
            throw new InvalidShareSessionEpochException("Share session " + key + " expected epoch " + session.epoch
                    + ", got " + epoch);
        }
        for (TopicIdPartition tp : partitions) {
            session.add(tp, true); // a partition joining mid-session is named in the next answer
        }
        for (TopicIdPartition tp : forgotten) {
            Slot slot = Slot.of(tp);
            session.partitions.remove(slot);
            session.names.remove(slot);
        }
        session.epoch = nextEpoch(session.epoch);
        return new FetchContext.Subsequent(key, session.partitionList());
    }

    /**
     * ShareAcknowledge's session check (Kafka's acknowledgeSessionUpdate): epoch 0 is never valid here; -1 leaves
     * the session for the release that follows; any other epoch must be the expected one and moves it on.
     */
    public synchronized void acknowledgeSessionUpdate(String groupId, String memberId, int epoch) {
        if (epoch == INITIAL_EPOCH) {
            throw new InvalidShareSessionEpochException("ShareAcknowledge cannot open a share session (epoch 0)");
        }
        Key key = new Key(groupId, memberId);
        Session session = sessions.get(key);
        if (session == null) {
            throw new ShareSessionNotFoundException("No share session for member " + memberId + " of group "
                    + groupId);
        }
        if (epoch == FINAL_EPOCH) {
            return;
        }
        if (session.epoch != epoch) {
            throw new InvalidShareSessionEpochException("Share session " + key + " expected epoch " + session.epoch
                    + ", got " + epoch);
        }
        session.epoch = nextEpoch(session.epoch);
    }

    /**
     * Whether an incremental response must name a partition of the session (Kafka's CachedSharePartition
     * maybeUpdateResponseData): it has records, it has an error (and is then named once more after), or it joined
     * or errored since the last response.
     */
    public synchronized boolean mustRespond(Key key, TopicIdPartition tp, boolean hasRecords, boolean hasError) {
        Session session = sessions.get(key);
        if (session == null) {
            return true;
        }
        Slot slot = Slot.of(tp);
        Boolean pending = session.partitions.get(slot);
        if (pending == null) {
            return hasRecords || hasError;
        }
        boolean respond = hasRecords || pending;
        session.partitions.put(slot, hasError);
        return respond || hasError;
    }

    /**
     * Ends a member's session (epoch -1, or the member left).
     *
     * @return the session's partitions, whose acquired records the caller releases
     * @throws ShareSessionNotFoundException there is none
     */
    public synchronized List<TopicIdPartition> remove(String groupId, String memberId) {
        Session session = sessions.get(new Key(groupId, memberId));
        if (session == null) {
            throw new ShareSessionNotFoundException("No share session for member " + memberId + " of group "
                    + groupId);
        }
        removeSession(session);
        return session.partitionList();
    }

    /** What a closed connection ended: the session to release, and whether its group has no session left. */
    public record Disconnected(Key key, List<TopicIdPartition> partitions, boolean groupEmpty) {}

    /** The client's connection closed: the session it opened ends, unless it ended already. */
    public synchronized Optional<Disconnected> onDisconnect(String connectionId) {
        ConnectionSession cs = connections.remove(connectionId);
        if (cs == null) {
            return Optional.empty();
        }
        List<TopicIdPartition> released = List.of();
        if (!cs.stale()) {
            Session session = sessions.get(cs.key());
            if (session != null) {
                removeSession(session);
                released = session.partitionList();
            }
        }
        boolean empty = membersPerGroup.getOrDefault(cs.key().groupId(), 0) == 0;
        if (empty) {
            membersPerGroup.remove(cs.key().groupId());
        }
        return Optional.of(new Disconnected(cs.key(), released, empty));
    }

    private void removeSession(Session session) {
        if (sessions.remove(session.key) == null) {
            return;
        }
        membersPerGroup.computeIfPresent(session.key.groupId(), (g, n) -> n - 1);
        // The connection may be reused by a new session of the same member; a later close must not end that one.
        ConnectionSession cs = connections.get(session.connectionId);
        if (cs != null && cs.key().equals(session.key)) {
            connections.put(session.connectionId, new ConnectionSession(cs.key(), true));
        }
    }

    public synchronized int size() {
        return sessions.size();
    }

    public synchronized Optional<Integer> epoch(String groupId, String memberId) {
        Session s = sessions.get(new Key(groupId, memberId));
        return s == null ? Optional.empty() : Optional.of(s.epoch);
    }

    public synchronized Collection<TopicIdPartition> partitions(String groupId, String memberId) {
        Session s = sessions.get(new Key(groupId, memberId));
        return s == null ? List.of() : s.partitionList();
    }

    /** Kafka's ShareRequestMetadata.nextEpoch. */
    static int nextEpoch(int epoch) {
        if (epoch < 0) {
            return FINAL_EPOCH;
        }
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }
}
