package io.herald.storage.config;

import io.herald.storage.config.TopicConfigs.Key;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * Every topic config of Kafka 4.3.1 ({@code LogConfig.configNames()}), KIP-1191's
 * {@code errors.deadletterqueue.group.enable} and Herald's own ({@code herald.*}), in alphabetical order, with
 * Kafka's type, default, validation and broker synonyms. The documentation says what the config does in
 * Herald; where Herald lacks the feature a config belongs to, the config is accepted with Kafka's validation
 * and has no effect, unless a value asks for the feature itself, which the validator refuses.
 *
 * <p>Thread-safety: stateless.
 */
final class TopicConfigDefinitions {
    /** Kafka's test-only override of {@code segment.bytes}, which cannot go below 1 MiB. */
    static final String INTERNAL_SEGMENT_BYTES = "internal.segment.bytes";
    static final String LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
    static final String FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";
    static final String LONG_MAX = String.valueOf(Long.MAX_VALUE);
    /** KIP-1191's topic config, which Kafka 4.4 brings (not in Kafka 4.3.1's TopicConfig). */
    static final String ERRORS_DEADLETTERQUEUE_GROUP_ENABLE = "errors.deadletterqueue.group.enable";

    /** Herald's delayed delivery; its broker default has the same name. */
    static final String HERALD_DELIVERY_DELAY_ENABLE = "herald.delivery.delay.enable";
    /** Herald's message TTL; its broker default has the same name. */
    static final String HERALD_MESSAGE_TTL_MS = "herald.message.ttl.ms";

    private TopicConfigDefinitions() {
    }

    static List<Key> all() {
        List<Key> keys = new ArrayList<>();
        keys.add(key(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, "delete", ValidList.in(true, "compact", "delete"),
            "What happens to old segments: 'delete' applies retention.ms and retention.bytes, 'compact' keeps the "
                + "newest record per key (the cleaner, see min.cleanable.dirty.ratio), both may be combined; an "
                + "empty list keeps everything forever.",
            "log.cleanup.policy"));
        keys.add(key(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, Type.INT, "-1", CompressionType.GZIP.levelValidator(),
            "The level the leader recompresses with when compression.type is gzip; -1 is the codec's default.",
            "compression.gzip.level"));
        keys.add(key(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, Type.INT, "9", CompressionType.LZ4.levelValidator(),
            "The level the leader recompresses with when compression.type is lz4.", "compression.lz4.level"));
        keys.add(key(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, "producer",
            ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
            "The codec batches are stored with. 'producer' keeps each batch as the producer compressed it (the "
                + "append path never decompresses); any other value makes the leader rebuild a batch whose codec "
                + "differs with this one ('uncompressed': none), keeping its offsets, producer id, epoch and "
                + "sequence. Followers store what the leader wrote.",
            "compression.type"));
        keys.add(key(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, Type.INT, "3", CompressionType.ZSTD.levelValidator(),
            "The level the leader recompresses with when compression.type is zstd.", "compression.zstd.level"));
        keys.add(key(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, "86400000", Range.atLeast(0),
            "How long the cleaner keeps a tombstone (null value) after the first cleaning that kept it, so that "
                + "consumers reading a compacted topic from the start see deletions.",
            "log.cleaner.delete.retention.ms"));
        keys.add(key(ERRORS_DEADLETTERQUEUE_GROUP_ENABLE, Type.BOOLEAN, "false", null,
            "KIP-1191: whether groups may use this topic as their dead-letter topic "
                + "(errors.deadletterqueue.topic.name); a group's rejected and undeliverable records are written "
                + "only to a topic where this is true, so a topic's administrator decides whether the broker may "
                + "write into it on a group's behalf."));
        keys.add(key(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, "60000", Range.atLeast(0),
            "How long the files of a deleted segment stay open after it left the log, so that fetches still "
                + "sending from it complete.",
            "log.segment.delete.delay.ms"));
        keys.add(key(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, LONG_MAX, Range.atLeast(1),
            "Fsync once this many messages are not yet on disk: the append that reaches it fsyncs (without "
                + "holding the partition lock) before it is acknowledged. The default leaves it to the OS; "
                + "durability comes from replication.",
            "log.flush.interval.messages"));
        keys.add(key(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, LONG_MAX, Range.atLeast(0),
            "Fsync a log whose last fsync is older than this; checked every log.flush.scheduler.interval.ms, "
                + "so an acknowledged write may wait that long for its fsync.",
            "log.flush.interval.ms", "log.flush.scheduler.interval.ms"));
        keys.add(key(FOLLOWER_THROTTLED_REPLICAS, Type.LIST, "", ThrottledReplicasValidator.INSTANCE,
            "Replicas ('partition:broker', or '*') whose follower-side replication is throttled. Accepted; no "
                + "effect: Herald has no replication quotas (as in Kafka without a throttle rate)."));
        keys.add(key(HERALD_DELIVERY_DELAY_ENABLE, Type.BOOLEAN, "false", null,
            "Herald: hold back records whose herald.deliver.at (epoch ms) or herald.delay.ms header lies in the "
                + "future, in the replicated timer log __herald_delayed, and append them to their partition when "
                + "due, at a new offset. Without it, delay headers are ordinary headers.",
            HERALD_DELIVERY_DELAY_ENABLE));
        keys.add(key(HERALD_MESSAGE_TTL_MS, Type.LONG, "-1", Range.atLeast(-1),
            "Herald: how long a record lives after its timestamp (for a delayed record: after its release); -1 "
                + "for ever. Share groups never deliver an expired record: they archive it, and dead-letter it "
                + "with the reason 'expired' when the group has a dead-letter topic. Log consumers skip whole "
                + "batches whose newest timestamp is older than this; retention deletes them. On a topic where "
                + "it is set, share groups also honour a shorter per-record herald.ttl.ms header (the smaller "
                + "TTL wins).",
            HERALD_MESSAGE_TTL_MS));
        keys.add(key(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, "4096", Range.atLeast(0),
            "Bytes between two entries of the offset and time indexes: smaller finds positions faster and makes "
                + "larger index files.",
            "log.index.interval.bytes"));
        keys.add(new Key(INTERNAL_SEGMENT_BYTES, Type.INT, null, null,
            "Test-only segment size that overrides segment.bytes and may be below its 1 MiB minimum; a value "
                + "smaller than an append makes that append fail with RECORD_BATCH_TOO_LARGE.",
            List.of(), true));
        keys.add(key(LEADER_THROTTLED_REPLICAS, Type.LIST, "", ThrottledReplicasValidator.INSTANCE,
            "Replicas ('partition:broker', or '*') whose leader-side replication is throttled. Accepted; no "
                + "effect: Herald has no replication quotas (as in Kafka without a throttle rate)."));
        keys.add(key(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Type.LONG, "-2", Range.atLeast(-2),
            "Tiered storage: bytes kept on local disk (-2: retention.bytes). Accepted; no effect: without tiered "
                + "storage all data is local and retention.bytes applies.",
            "log.local.retention.bytes"));
        keys.add(key(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Type.LONG, "-2", Range.atLeast(-2),
            "Tiered storage: time kept on local disk (-2: retention.ms). Accepted; no effect: without tiered "
                + "storage all data is local and retention.ms applies.",
            "log.local.retention.ms"));
        keys.add(key(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, LONG_MAX, Range.atLeast(1),
            "Compacted topics: the longest a record stays uncompacted. The cleaner cleans a log whose oldest "
                + "dirty segment started longer ago regardless of min.cleanable.dirty.ratio, and the active "
                + "segment rolls after at most this long so it can be cleaned.",
            "log.cleaner.max.compaction.lag.ms"));
        keys.add(key(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, "1048588", Range.atLeast(0),
            "The largest record batch a producer may append (after compression); larger ones fail with "
                + "MESSAGE_TOO_LARGE.",
            "message.max.bytes"));
        keys.add(key(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG, "3600000", Range.atLeast(0),
            "CreateTime topics: how far a record's timestamp may be ahead of the leader's clock; a batch with a "
                + "record further ahead fails with INVALID_TIMESTAMP. Ignored for LogAppendTime.",
            "log.message.timestamp.after.max.ms"));
        keys.add(key(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, LONG_MAX, Range.atLeast(0),
            "CreateTime topics: how far a record's timestamp may be behind the leader's clock; a batch with an "
                + "older record fails with INVALID_TIMESTAMP. When set, compressed batches are decompressed to "
                + "check every record. Ignored for LogAppendTime.",
            "log.message.timestamp.before.max.ms"));
        keys.add(key(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
            ValidString.in("CreateTime", "LogAppendTime"),
            "CreateTime keeps the producer's timestamps; LogAppendTime has the leader stamp its clock into each "
                + "batch header (records stay untouched).",
            "log.message.timestamp.type"));
        keys.add(key(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, "0.5", Range.between(0, 1),
            "Compacted topics: the cleaner cleans a log when the bytes written since its last cleaning are more "
                + "than this share of the log (or max.compaction.lag.ms is exceeded).",
            "log.cleaner.min.cleanable.ratio"));
        keys.add(key(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, "0", Range.atLeast(0),
            "Compacted topics: the shortest a record stays uncompacted; segments holding records younger than "
                + "this are not cleaned.",
            "log.cleaner.min.compaction.lag.ms"));
        keys.add(key(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, "1", Range.atLeast(1),
            "acks=all produces fail with NOT_ENOUGH_REPLICAS while the ISR is smaller than this.",
            "min.insync.replicas"));
        keys.add(key(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, "false", null,
            "Create each new segment file at its full segment.bytes size (cut to its data when it stops being "
                + "active or the log closes), so the file system can allocate it contiguously.",
            "log.preallocate"));
        keys.add(key(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, Type.BOOLEAN, "false", null,
            "Tiered storage: stop copying to the remote tier. Accepted; no effect: Herald has no remote tier."));
        keys.add(key(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Type.BOOLEAN, "false", null,
            "Tiered storage: delete remote data when tiered storage is turned off. Accepted; no effect: Herald "
                + "has no remote tier."));
        keys.add(key(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, Type.BOOLEAN, "false",
            NoTieredStorageValidator.INSTANCE,
            "Tiered storage for the topic. Only false is accepted: Herald has no tiered storage, as a Kafka "
                + "broker with remote.log.storage.system.enable=false."));
        keys.add(key(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, "-1", null,
            "With the delete policy: the oldest segments go while the partition is larger than this by at least "
                + "their size (the active one too, after a roll); negative is unlimited.",
            "log.retention.bytes"));
        keys.add(key(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, "604800000", Range.atLeast(-1),
            "With the delete policy: a segment goes once its newest record is older than this (an expired "
                + "active segment is rolled first); -1 is unlimited. Only data below the high watermark goes.",
            "log.retention.ms", "log.retention.minutes", "log.retention.hours"));
        keys.add(key(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, "1073741824", Range.atLeast(1024 * 1024),
            "Roll to a new segment before one would grow past this size; retention and compaction work on whole "
                + "segments. An append larger than a segment fails with RECORD_BATCH_TOO_LARGE.",
            "log.segment.bytes"));
        keys.add(key(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, "10485760", Range.atLeast(4),
            "The preallocated size of each segment's offset and time index; a segment rolls when either is "
                + "full, so a size below one entry (8 and 12 bytes) puts every batch in its own segment.",
            "log.index.size.max.bytes"));
        keys.add(key(TopicConfig.SEGMENT_JITTER_MS_CONFIG, Type.LONG, "0", Range.atLeast(0),
            "Each segment rolls up to a random amount below min(this, segment.ms) early, so that partitions "
                + "created together do not all roll at once.",
            "log.roll.jitter.ms", "log.roll.jitter.hours"));
        keys.add(key(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, "604800000", Range.atLeast(1),
            "Roll a non-empty active segment once it is this old, so that retention and compaction can reach "
                + "its data.",
            "log.roll.ms", "log.roll.hours"));
        keys.add(key(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, "false", null,
            "Let the controller elect a replica outside the ISR when no ISR member is alive, accepting data loss.",
            "unclean.leader.election.enable"));
        return keys;
    }

    private static Key key(String name, Type type, String defaultValue, ConfigDef.Validator validator,
                           String documentation, String... brokerSynonyms) {
        return new Key(name, type, defaultValue, validator, documentation, List.of(brokerSynonyms), false);
    }
}
