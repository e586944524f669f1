package io.herald.broker.share.handler;

import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.security.Authorization;
import io.herald.broker.share.ArchiveListener;
import io.herald.broker.share.DeadLetterQueue;
import io.herald.broker.share.ShareLogs;
import io.herald.broker.share.SharePartition;
import io.herald.broker.share.SharePartitionManager;
import io.herald.broker.share.ShareSessionCache;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.coordinator.share.ShareStatePersister;
import io.herald.group.config.GroupConfigView;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.ServedApi;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-group data plane of a broker (KIP-932): ShareFetch and ShareAcknowledge, their share sessions, the
 * share-partitions this broker leads and the purgatory parked share fetches wait in. Construct one per broker,
 * register {@link #apis}, with the broker's ACL checks, and close it on shutdown (it fences every share-partition and
 * answers parked fetches).
 *
 * <p>On construction it listens to the replica manager: appends and high-watermark moves wake parked fetches, and a
 * lost leadership drops that partition's share-partitions.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class ShareApis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShareApis.class);

    /** Kafka's {@code fetch.max.bytes} default: what one fetch response carries at most. */
    public static final int DEFAULT_FETCH_MAX_BYTES = 55 * 1024 * 1024;

    /**
     * @param maxShareSessions {@code group.share.max.share.sessions} (2000)
     * @param fetchMaxBytes    {@code fetch.max.bytes} (55 MiB), capping a ShareFetch's MaxBytes
     * @param archiveListener  told when records are archived for good by REJECT or the delivery limit
     * @param deadLetters      where those records are copied first, when their group has a dead-letter topic
     */
    public record Options(int maxShareSessions, int fetchMaxBytes, ArchiveListener archiveListener,
                          DeadLetterQueue deadLetters) {
        public Options {
            Objects.requireNonNull(archiveListener, "archiveListener");
            Objects.requireNonNull(deadLetters, "deadLetters");
            if (maxShareSessions < 0) {
                throw new IllegalArgumentException("maxShareSessions: " + maxShareSessions + " (expected: >= 0)");
            }
            if (fetchMaxBytes < 0) {
                throw new IllegalArgumentException("fetchMaxBytes: " + fetchMaxBytes + " (expected: >= 0)");
            }
        }

        public static Options defaults() {
            return new Options(ShareSessionCache.DEFAULT_MAX_SESSIONS, DEFAULT_FETCH_MAX_BYTES, ArchiveListener.NONE,
                    DeadLetterQueue.NONE);
        }

        public Options withArchiveListener(ArchiveListener listener) {
            return new Options(maxShareSessions, fetchMaxBytes, listener, deadLetters);
        }

        public Options withDeadLetters(DeadLetterQueue queue) {
            return new Options(maxShareSessions, fetchMaxBytes, archiveListener, queue);
        }
    }

    private final Purgatory<ShareFetchKey> purgatory;
    private final SharePartitionManager manager;
    private final ShareSessionCache sessions;
    private final ShareFetchHandler fetch;
    private final ShareAcknowledgeHandler acknowledge;

    /** With Kafka's defaults and no dead-letter topics. */
    public ShareApis(ReplicaManager replicas, Supplier<ClusterImage> images, ShareStatePersister persister,
                     GroupConfigView configs, Timer timer, Time time, Executor pool) {
        this(replicas, images, persister, configs, timer, time, pool, Options.defaults());
    }

    /**
     * @param timer the node's shared timer (lock deadlines, retry backoffs, MaxWaitMs); not closed here
     * @param pool  where log reads and acquisitions run (the request pool)
     */
    public ShareApis(ReplicaManager replicas, Supplier<ClusterImage> images, ShareStatePersister persister,
                     GroupConfigView configs, Timer timer, Time time, Executor pool, Options options) {
        this.purgatory = new Purgatory<>("share-fetch", timer);
        this.sessions = new ShareSessionCache(options.maxShareSessions());
        SharePartition.Context context = new SharePartition.Context(persister, configs, timer, time,
                options.archiveListener(), options.deadLetters());
        this.manager = new SharePartitionManager(ShareLogs.of(replicas), context,
                (groupId, tp) -> purgatory.checkAndComplete(new ShareFetchKey.Share(groupId, tp.topicPartition())));
        Acknowledgements acknowledgements = new Acknowledgements(manager);
        ShareFetcher fetcher = new ShareFetcher(manager, purgatory, pool, time);
        this.fetch = new ShareFetchHandler(sessions, manager, fetcher, acknowledgements, images, configs, timer,
                options.fetchMaxBytes());
        this.acknowledge = new ShareAcknowledgeHandler(sessions, manager, acknowledgements, images, configs);
        replicas.addAppendListener(tp -> purgatory.checkAndComplete(new ShareFetchKey.Log(tp)));
        replicas.addLeadershipListener(manager);
    }

    /** ShareFetch (78) and ShareAcknowledge (79), v1 to v2, checking the ACLs of {@code authorization}. */
    public List<ServedApi> apis(Authorization authorization) {
        return List.of(shareFetch(authorization), shareAcknowledge(authorization));
    }

    public ServedApi shareFetch(Authorization authorization) {
        return fetch.api(authorization);
    }

    public ServedApi shareAcknowledge(Authorization authorization) {
        return acknowledge.api(authorization);
    }

    public SharePartitionManager partitions() {
        return manager;
    }

    public ShareSessionCache sessions() {
        return sessions;
    }

    /**
     * A client connection closed (its address as the handlers saw it, {@code KafkaRequest.clientAddress()}): the
     * share session it opened ends and its member's acquired records are released; a group left without sessions
     * drops its share-partitions (Kafka's ShareGroupListener).
     */
    public void onConnectionClosed(String connectionId) {
        sessions.onDisconnect(connectionId).ifPresent(d -> {
            if (!d.partitions().isEmpty()) {
                manager.release(d.key().groupId(), d.key().memberId(), d.partitions());
            }
            if (d.groupEmpty()) {
                manager.removeGroup(d.key().groupId());
            }
        });
    }

    /** Kafka's KafkaApis.isMemberIdValid: 1 to 36 characters. */
    static boolean isMemberIdValid(String memberId) {
        return memberId != null && !memberId.isEmpty() && memberId.length() <= 36;
    }

    @Override
    public void close() {
        manager.close();
        purgatory.close();
        log.debug("Share APIs closed");
    }
}
