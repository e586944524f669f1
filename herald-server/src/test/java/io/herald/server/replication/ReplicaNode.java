package io.herald.server.replication;

import io.herald.broker.handler.FetchHandler;
import io.herald.broker.handler.MetadataHandler;
import io.herald.broker.handler.OffsetsHandler;
import io.herald.broker.handler.ProduceHandler;
import io.herald.broker.replica.AlterPartitionChannel;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.replica.ReplicationConfig;
import io.herald.broker.security.Authorization;
import io.herald.common.config.ConfigValues;
import io.herald.common.purgatory.Purgatory;
import io.herald.common.time.Time;
import io.herald.common.timer.SystemTimer;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.protocol.ApiRegistry;
import io.herald.protocol.KafkaServer;
import io.herald.protocol.ServerConfig;
import io.herald.storage.config.LogConfig;
import io.herald.storage.log.LogManager;
import io.herald.storage.log.LogManagerConfig;
import io.herald.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;

/**
 * A second broker for the replication tests, without a controller of its own: a log manager, a replica manager
 * fed the same metadata images as the broker under test (the stand-in for metadata propagation), and a loopback
 * listener serving Produce, Fetch, ListOffsets and OffsetForLeaderEpoch, which is all a replica needs to lead or
 * follow. When clients see this node (it is registered with a controller), it also answers Metadata from that
 * controller: Kafka clients send Metadata to whichever known broker is least loaded, and a broker that cannot
 * answer leaves them without partition leaders. Not thread-safe: one test drives it.
 */
final class ReplicaNode implements AutoCloseable {
    private final LogManager logs;
    private final ReplicaManager replicas;
    private final KafkaServer server;
    private final ExecutorService pool;
    private final Purgatory<TopicPartition> fetchPurgatory;
    private final AtomicReference<ClusterImage> image;
    private boolean closed;
    /** One timer for every node of the test JVM, as one node shares one; never closed (a daemon thread). */
    private static final SystemTimer TIMER = new SystemTimer("replica-nodes");

    private ReplicaNode(LogManager logs, ReplicaManager replicas, KafkaServer server, ExecutorService pool,
                        Purgatory<TopicPartition> fetchPurgatory, AtomicReference<ClusterImage> image) {
        this.logs = logs;
        this.replicas = replicas;
        this.server = server;
        this.pool = pool;
        this.fetchPurgatory = fetchPurgatory;
        this.image = image;
    }

    static ReplicaNode start(int nodeId, Path dir, Map<String, String> configs, AlterPartitionChannel alterPartition,
                             String clusterId, Optional<MetadataController> metadata) throws Exception {
        LogConfig defaults = LogConfig.defaults();
        LogManager logs = new LogManager(List.of(dir), defaults, new LogManagerConfig(300_000, Long.MAX_VALUE, 60_000,
                15_000), io.herald.common.time.Time.SYSTEM, topic -> defaults);
        logs.startup();
        ReplicaManager replicas = new ReplicaManager(nodeId, logs, ReplicationConfig.from(ConfigValues.parse(ReplicationConfig.CONFIG_DEF,
                configs)), configs, alterPartition, Time.SYSTEM, TIMER);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Purgatory<TopicPartition> fetchPurgatory = new Purgatory<>("fetch-" + nodeId, TIMER);
        replicas.addAppendListener(fetchPurgatory::checkAndComplete);
        AtomicReference<ClusterImage> image = new AtomicReference<>(ClusterImage.empty(clusterId));
        OffsetsHandler offsets = new OffsetsHandler(replicas, pool, Authorization.ALLOW_ALL);
        ApiRegistry registry = new ApiRegistry()
                .register(new ProduceHandler(replicas, image::get, pool,
                        io.herald.broker.txn.TransactionVerifier.unavailable(), Optional.empty()).api())
                .register(new FetchHandler(replicas, image::get, fetchPurgatory, pool,
                        new io.herald.broker.fetch.FetchSessionCache(1000, Time.SYSTEM), Time.SYSTEM).api())
                .register(offsets.listOffsets())
                .register(offsets.offsetForLeaderEpoch());
        metadata.ifPresent(controller -> registry.register(new MetadataHandler(controller, controller,
                new MetadataHandler.Settings(nodeId, false, 1, (short) 1), pool, Authorization.ALLOW_ALL).api()));
        KafkaServer server = new KafkaServer(new ServerConfig("127.0.0.1", 0, 1, 100 << 20, 600_000), registry);
        server.start();
        return new ReplicaNode(logs, replicas, server, pool, fetchPurgatory, image);
    }

    /** Applies a metadata image, as the broker's metadata listener would. */
    void onImage(ClusterImage previous, ClusterImage current) {
        if (closed) {
            return; // a stopped broker hears nothing
        }
        image.set(current);
        replicas.onImage(previous, current);
    }

    int port() {
        return server.boundPort();
    }

    ReplicaManager replicas() {
        return replicas;
    }

    PartitionLog log(TopicPartition tp) {
        return replicas.partition(tp).orElseThrow().log();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        replicas.close();
        server.close();
        fetchPurgatory.close();
        pool.shutdownNow();
        logs.close();
    }

    /** The bytes of {@code log} in {@code [0, end)}. */
    static byte[] bytes(PartitionLog log, long end) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long offset = log.logStartOffset();
        while (offset < end) {
            var slice = log.read(offset, Integer.MAX_VALUE, end, true).slice();
            if (slice.size() == 0) {
                break;
            }
            ByteBuffer buf = ByteBuffer.allocate(slice.size());
            long pos = slice.position();
            while (buf.hasRemaining()) {
                pos += slice.channel().read(buf, pos);
            }
            out.write(buf.array());
            long next = offset;
            for (var batch : org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(
                    ByteBuffer.wrap(buf.array())).batches()) {
                next = batch.nextOffset();
            }
            offset = next;
        }
        return out.toByteArray();
    }
}
