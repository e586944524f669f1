package io.herald.cli.group;

import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import io.herald.cli.format.Table;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code herald group describe GROUP}: the group's state and members, and per partition the committed offset, the
 * log end offset, the lag and the member it is assigned to (kafka-consumer-groups --describe). For a share group:
 * the start offset and lag of each share-partition and how many members read it.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Shows a group's members and, per partition, committed offset, log end offset and lag.")
public final class DescribeGroup extends ClientCommand {

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    protected int run() {
        try (Admin admin = clients().admin()) {
            Groups.Listing listing = Groups.find(admin, group);
            if (listing.isShare()) {
                describeShare(admin);
            } else {
                Groups.requireType(listing, "describe", List.of(GroupType.CLASSIC, GroupType.CONSUMER));
                describeConsumer(admin, listing);
            }
        }
        return 0;
    }

    private void describeConsumer(Admin admin, Groups.Listing listing) {
        ConsumerGroupDescription description = Failures.await(() -> admin.describeConsumerGroups(List.of(group))
                .describedGroups().get(group).get());
        Map<TopicPartition, OffsetAndMetadata> offsets = Failures.await(() -> admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get());
        Map<TopicPartition, Long> committed = new HashMap<>();
        offsets.forEach((tp, om) -> {
            if (om != null) {
                committed.put(tp, om.offset());
            }
        });
        Map<TopicPartition, GroupLag.Member> assigned = new HashMap<>();
        for (MemberDescription m : description.members()) {
            GroupLag.Member member = new GroupLag.Member(m.consumerId(), m.host(), m.clientId());
            m.assignment().topicPartitions().forEach(tp -> assigned.put(tp, member));
        }
        Set<TopicPartition> partitions = new HashSet<>(committed.keySet());
        partitions.addAll(assigned.keySet());
        Map<TopicPartition, Long> ends = Topics.offsets(admin, partitions, OffsetSpec.latest());

        out().println("Group: " + group + "  Type: " + Groups.name(listing.type()) + "  State: "
                + description.groupState() + "  Members: " + description.members().size()
                + "  Coordinator: " + node(description.coordinator()));
        List<GroupLag.Row> rows = GroupLag.rows(committed, ends, assigned);
        Table table = new Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER", "HOST",
                "CLIENT-ID");
        for (GroupLag.Row row : rows) {
            table.row(row.partition().topic(), row.partition().partition(), dash(row.current()), dash(row.logEnd()),
                    dash(row.lag()), row.member().map(GroupLag.Member::id).orElse("-"),
                    row.member().map(GroupLag.Member::host).orElse("-"),
                    row.member().map(GroupLag.Member::clientId).orElse("-"));
        }
        table.print(out());
        out().println("Total lag: " + GroupLag.total(rows));
    }

    private void describeShare(Admin admin) {
        ShareGroupDescription description = Failures.await(() -> admin.describeShareGroups(List.of(group))
                .describedGroups().get(group).get());
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = Failures.await(() -> admin.listShareGroupOffsets(
                Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group).get());
        Map<TopicPartition, Integer> readers = new HashMap<>();
        for (ShareMemberDescription m : description.members()) {
            m.assignment().topicPartitions().forEach(tp -> readers.merge(tp, 1, Integer::sum));
        }
        Map<TopicPartition, SharePartitionOffsetInfo> known = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        offsets.forEach((tp, info) -> {
            if (info != null) {
                known.put(tp, info);
            }
        });
        Map<TopicPartition, Long> ends = Topics.offsets(admin, known.keySet(), OffsetSpec.latest());

        out().println("Group: " + group + "  Type: share  State: " + description.groupState() + "  Members: "
                + description.members().size() + "  Coordinator: " + node(description.coordinator()));
        Table table = new Table("TOPIC", "PARTITION", "START-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBERS");
        known.forEach((tp, info) -> table.row(tp.topic(), tp.partition(), info.startOffset(),
                ends.containsKey(tp) ? ends.get(tp) : "-",
                info.lag().map(String::valueOf).orElse("-"), readers.getOrDefault(tp, 0)));
        table.print(out());
    }

    private static String dash(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
    }

    private static String node(Node node) {
        return node == null || node.isEmpty() ? "-" : Integer.toString(node.id());
    }
}
