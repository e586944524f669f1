package io.herald.group.offsets;

import io.herald.common.time.Time;
import io.herald.group.ConsumerGroups;
import io.herald.group.GroupConfig;
import io.herald.group.RecordSink;
import io.herald.group.classic.ClassicGroup;
import io.herald.group.classic.GroupState;
import io.herald.group.RequestContext;
import io.herald.group.classic.ClassicGroupManager;
import io.herald.group.record.GroupRecord;
import io.herald.group.consumer.ConsumerGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offset operations: OffsetCommit (with Kafka's generation and member checks), OffsetFetch, OffsetDelete, and
 * expiry of the offsets of empty groups after {@code offsets.retention.minutes}. Each operation validates,
 * then applies and writes its records through the {@link RecordSink}: the {@link OffsetStore} changes only by
 * replay.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
public final class OffsetManager {
    private static final Logger log = LoggerFactory.getLogger(OffsetManager.class);

    private final GroupConfig config;
    private final Time time;
    private final ClassicGroupManager groups;
    private final ConsumerGroups consumerGroups;
    private final OffsetStore store;
    private final RecordSink sink;
    private final CommitValidator validator;

    /** @param shareGroupExists whether a share group has the id (it commits no offsets: GROUP_ID_NOT_FOUND) */
    public OffsetManager(GroupConfig config, Time time, ClassicGroupManager groups, ConsumerGroups consumerGroups,
                         Predicate<String> shareGroupExists, OffsetStore store, RecordSink sink) {
        this.config = config;
        this.time = time;
        this.groups = groups;
        this.consumerGroups = consumerGroups;
        this.store = store;
        this.sink = sink;
        this.validator = new CommitValidator(groups, consumerGroups, shareGroupExists);
    }

    /**
     * Commits offsets. Topics must carry their names (the handler resolves v10 topic ids; an unresolved id
     * has a null name and gets UNKNOWN_TOPIC_ID).
     *
     * @param partitionExists whether a partition exists (others get UNKNOWN_TOPIC_OR_PARTITION)
     */
    public OffsetCommitResponseData commit(RequestContext ctx, OffsetCommitRequestData req,
                                    Predicate<TopicPartition> partitionExists) {
        Errors groupError = validator.validate(new CommitValidator.Commit(CommitValidator.Kind.OFFSET_COMMIT,
                req.groupId(), req.memberId(), req.groupInstanceId(), req.generationIdOrMemberEpoch(),
                ctx.apiVersion()));
        long now = time.milliseconds();
        OptionalLong expire = req.retentionTimeMs() > 0 ? OptionalLong.of(now + req.retentionTimeMs())
                : OptionalLong.empty();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        List<GroupRecord.OffsetCommit> records = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : req.topics()) {
            var topicResponse = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name())
                    .setTopicId(topic.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                var pr = new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                Errors error = groupError == Errors.NONE && topic.name() == null ? Errors.UNKNOWN_TOPIC_ID
                        : CommitValidator.partitionError(groupError, new TopicPartition(topic.name(),
                        p.partitionIndex()), partitionExists, metadata, config.offsetMetadataMaxBytes());
                if (error == Errors.NONE) {
                    records.add(new GroupRecord.OffsetCommit(req.groupId(), topic.name(), p.partitionIndex(),
                            Optional.of(new OffsetAndMetadata(p.committedOffset(), p.committedLeaderEpoch(),
                                    metadata, now, expire))));
                }
                topicResponse.partitions().add(pr.setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        // A failed write fails the whole answer (the handler gives each of these partitions the error).
        records.forEach(sink::applyAndWrite);
        if (groupError == Errors.NONE && req.generationIdOrMemberEpoch() >= 0) {
            groups.group(req.groupId()).ifPresent(g -> groups.onMemberCommitted(g, req.memberId()));
        }
        return response;
    }

    /** A copy of the group's committed offsets (empty for an unknown group). */
    public Map<TopicPartition, OffsetAndMetadata> committed(String groupId) {
        return new LinkedHashMap<>(store.offsets(groupId));
    }

    public OffsetDeleteResponseData deleteOffsets(OffsetDeleteRequestData req) {
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        String groupId = req.groupId();
        Optional<ConsumerGroup> modern = consumerGroups.group(groupId);
        Optional<ClassicGroup> found = groups.group(groupId);
        Set<String> subscribed;
        if (modern.isPresent()) {
            // KIP-848 groups: offsets of topics no member subscribes to may go, as for classic consumers.
            subscribed = subscribedTopics(modern.get());
        } else if (found.isEmpty() || found.get().isInState(GroupState.DEAD)) {
            return response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
        } else {
            ClassicGroup group = found.get();
            boolean consumerGroup = group.protocolType().map("consumer"::equals).orElse(false);
            if (!consumerGroup && !group.isInState(GroupState.EMPTY)) {
                return response.setErrorCode(Errors.NON_EMPTY_GROUP.code());
            }
            subscribed = consumerGroup && !group.isInState(GroupState.EMPTY)
                    ? group.subscribedTopics().orElse(null) : Set.of();
        }
        List<GroupRecord.OffsetCommit> tombstones = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : req.topics()) {
            var topicResponse = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
                // Unknown subscriptions (undecodable metadata) are treated as subscribed: never delete the
                // offsets a live member may be using.
                Errors error = subscribed == null || subscribed.contains(topic.name())
                        ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
                if (error == Errors.NONE
                        && store.offset(groupId, new TopicPartition(topic.name(), p.partitionIndex())).isPresent()) {
                    tombstones.add(new GroupRecord.OffsetCommit(groupId, topic.name(), p.partitionIndex(),
                            Optional.empty()));
                }
                topicResponse.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(topicResponse);
        }
        tombstones.forEach(sink::applyAndWrite);
        return response.setErrorCode(Errors.NONE.code());
    }

    /**
     * The topics a consumer-protocol group's members subscribe to; null (treated as "everything") when a member
     * subscribes by regex, since the regex may cover the topic.
     */
    private static Set<String> subscribedTopics(ConsumerGroup group) {
        Set<String> topics = new java.util.HashSet<>();
        for (ConsumerGroup.Member member : group.members().values()) {
            if (member.metadata().isEmpty() || member.metadata().get().subscribedTopicRegex().isPresent()) {
                return null;
            }
            topics.addAll(member.metadata().get().subscribedTopicNames());
        }
        return topics;
    }

    /**
     * Expires offsets as Kafka does for classic groups: for an empty group with a protocol, offsets expire
     * {@code offsets.retention.minutes} after the group became empty; for a simple group (no protocol), after
     * their commit; an explicit expire timestamp (OffsetCommit v2-v4) wins. Groups with members keep their
     * offsets. An empty group left without offsets is deleted.
     *
     * @return how many offsets expired
     */
    public int expireOffsets() {
        long now = time.milliseconds();
        int expired = 0;
        for (ClassicGroup group : List.copyOf(groups.groups())) {
            if (!group.isInState(GroupState.EMPTY)) {
                continue;
            }
            boolean simple = group.protocolType().map(String::isEmpty).orElse(true);
            List<GroupRecord> records = new ArrayList<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : store.offsets(group.groupId()).entrySet()) {
                OffsetAndMetadata o = e.getValue();
                long base = simple ? o.commitTimestamp() : Math.max(group.currentStateTimestamp(), o.commitTimestamp());
                long deadline = o.expireTimestamp().orElse(base + config.offsetsRetentionMs());
                if (now >= deadline) {
                    records.add(new GroupRecord.OffsetCommit(group.groupId(), e.getKey().topic(),
                            e.getKey().partition(), Optional.empty()));
                }
            }
            int expiring = records.size();
            boolean deleteGroup = expiring == store.offsets(group.groupId()).size();
            if (records.isEmpty() && !deleteGroup) {
                continue;
            }
            if (deleteGroup) {
                records.add(new GroupRecord.GroupMetadata(group.groupId(), Optional.empty()));
            }
            records.forEach(sink::applyAndWrite);
            expired += expiring;
            if (expiring > 0 || deleteGroup) {
                log.info("Expired {} offsets of group {}{}", expiring, group.groupId(),
                        deleteGroup ? "; the group is deleted" : "");
            }
        }
        return expired + expireConsumerGroupOffsets(now);
    }

    /**
     * KIP-848 groups, as Kafka's new coordinator treats them: an offset expires {@code offsets.retention.minutes}
     * after its commit unless a member subscribes to its topic (so a live, subscribed group never loses its
     * position). The group itself stays; DeleteGroups removes it.
     */
    private int expireConsumerGroupOffsets(long now) {
        int expired = 0;
        for (ConsumerGroup group : consumerGroups.groups()) {
            Set<String> subscribed = subscribedTopics(group);
            if (subscribed == null) {
                continue;
            }
            List<GroupRecord.OffsetCommit> tombstones = new ArrayList<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : store.offsets(group.groupId()).entrySet()) {
                OffsetAndMetadata o = e.getValue();
                long deadline = o.expireTimestamp().orElse(o.commitTimestamp() + config.offsetsRetentionMs());
                if (!subscribed.contains(e.getKey().topic()) && now >= deadline) {
                    tombstones.add(new GroupRecord.OffsetCommit(group.groupId(), e.getKey().topic(),
                            e.getKey().partition(), Optional.empty()));
                }
            }
            if (tombstones.isEmpty()) {
                continue;
            }
            tombstones.forEach(sink::applyAndWrite);
            expired += tombstones.size();
            log.info("Expired {} offsets of consumer group {}", tombstones.size(), group.groupId());
        }
        return expired;
    }
}
