package io.herald.group.consumer;

import io.herald.group.config.ConsumerGroupConfigView;
import io.herald.group.config.ConsumerGroupSettings;
import io.herald.group.consumer.TopicsView.TopicInfo;
import io.herald.group.record.ConsumerGroupRecord.CurrentAssignment;
import io.herald.group.record.ConsumerGroupRecord;
import io.herald.group.record.ConsumerGroupRecordSerde;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;

/**
 * A shard with a mutable topic catalogue, a log of every record it produced (round-tripped through
 * the serde, as the integrator would store them) and request builders.
 */
final class ShardHarness {

    static final String GROUP = "grp";
    static final HeartbeatContext CONTEXT = new HeartbeatContext("client-1", "/127.0.0.1", (short) 1);

    final ConsumerGroupConfig config;
    final ConsumerGroupCoordinatorShard shard;
    final Map<String, TopicInfo> topics = new TreeMap<>();
    final List<ConsumerGroupRecord> log = new ArrayList<>();
    final Set<String> classicGroups = new TreeSet<>();
    private final AtomicInteger nextTopicId = new AtomicInteger(1);
    long nowMs = 1_000_000L;

    ShardHarness(ConsumerGroupConfig config) {
        this(config, ConsumerGroupConfigView.fixed(new ConsumerGroupSettings(config.sessionTimeoutMs(),
                config.heartbeatIntervalMs())));
    }

    /** A shard whose groups' session timeouts and heartbeat intervals come from {@code groupConfigs}. */
    ShardHarness(ConsumerGroupConfig config, ConsumerGroupConfigView groupConfigs) {
        this.config = config;
        Predicate<String> classic = classicGroups::contains;
        AtomicInteger ids = new AtomicInteger();
        this.shard = new ConsumerGroupCoordinatorShard(config, groupConfigs, classic,
                () -> "generated-" + ids.incrementAndGet());
    }

    ShardHarness() {
        this(ConsumerGroupConfig.DEFAULT);
    }

    Uuid createTopic(String name, int partitions) {
        Uuid id = new Uuid(0x5EEDL, nextTopicId.getAndIncrement());
        topics.put(name, new TopicInfo(name, id, partitions));
        return id;
    }

    void addPartitions(String name, int partitions) {
        TopicInfo t = topics.get(name);
        topics.put(name, new TopicInfo(name, t.id(), partitions));
    }

    Uuid topicId(String name) {
        return topics.get(name).id();
    }

    TopicsView view() {
        return TopicsView.of(List.copyOf(topics.values()));
    }

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData request) {
        Result<ConsumerGroupHeartbeatResponseData> result = shard.heartbeat(request, CONTEXT, view(), nowMs);
        persist(result.records());
        return result.response();
    }

    List<ConsumerGroupRecord> onTimer() {
        List<ConsumerGroupRecord> records = shard.onTimer(nowMs);
        persist(records);
        return records;
    }

    void persist(List<ConsumerGroupRecord> records) {
        for (ConsumerGroupRecord r : records) {
            ConsumerGroupRecord copy = ConsumerGroupRecordSerde.deserialize(r.key(), r.value());
            if (!copy.equals(r)) {
                throw new AssertionError("serde round trip changed " + r + " into " + copy);
            }
            log.add(copy);
        }
    }

    DescribedGroup describe() {
        return shard.describe(GROUP, view()).response();
    }

    ConsumerGroup group() {
        return shard.group(GROUP).orElseThrow();
    }

    CurrentAssignment current(String memberId) {
        return group().member(memberId).orElseThrow().current();
    }

    /** A fresh shard loaded from this one's log. */
    ConsumerGroupCoordinatorShard reload() {
        ConsumerGroupCoordinatorShard copy = ConsumerGroupCoordinatorShard.create(config, classicGroups::contains);
        log.forEach(copy::replay);
        copy.onLoaded(nowMs);
        return copy;
    }

    static ConsumerGroupHeartbeatRequestData join(String memberId, String... topics) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(memberId)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of(topics))
                .setTopicPartitions(List.of());
    }

    static ConsumerGroupHeartbeatRequestData beat(String memberId, int epoch, Map<Uuid, Set<Integer>> owned) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(memberId)
                .setMemberEpoch(epoch)
                .setTopicPartitions(toRequest(owned));
    }

    static List<ConsumerGroupHeartbeatRequestData.TopicPartitions> toRequest(Map<Uuid, Set<Integer>> owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> out = new ArrayList<>();
        owned.forEach((t, ps) -> out.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                .setTopicId(t).setPartitions(new ArrayList<>(ps))));
        return out;
    }

    static Map<Uuid, Set<Integer>> fromResponse(ConsumerGroupHeartbeatResponseData.Assignment assignment) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        assignment.topicPartitions().forEach(tp -> out.put(tp.topicId(), new TreeSet<>(tp.partitions())));
        return TopicPartitionSets.normalize(out);
    }
}
