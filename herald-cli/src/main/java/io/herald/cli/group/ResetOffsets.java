package io.herald.cli.group;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import io.herald.cli.convert.Timestamps;
import io.herald.cli.format.Table;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald group reset-offsets GROUP (--topic T[:P,...]... | --all-topics) (--to-earliest | --to-latest |
 * --to-offset N | --shift-by N | --to-datetime TIME) [--dry-run | --execute]}.
 *
 * <p>As with kafka-consumer-groups, the default is a dry run that prints the plan; {@code --execute} commits it.
 * The group must have no active members (a member would overwrite the reset with its next commit). Works for
 * consumer groups (committed offsets) and share groups (the share-partitions' start offsets).
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = {"Moves a group's offsets; the group must have no active members.",
                "Prints the plan only (a dry run) unless --execute is given."})
public final class ResetOffsets extends ClientCommand {

    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    static final class Scope {
        @Option(names = "--topic", paramLabel = "TOPIC[:P,...]", required = true,
                description = "A topic, or some of its partitions, e.g. orders:0,2 (repeatable).")
        List<String> topics;

        @Option(names = "--all-topics", required = true, description = "Every topic the group has offsets for.")
        boolean allTopics;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "The first offset still in the log.")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "The log end (skip everything).")
        boolean latest;

        @Option(names = "--to-offset", paramLabel = "N", required = true, description = "An absolute offset.")
        Long offset;

        @Option(names = "--shift-by", paramLabel = "N", required = true,
                description = "Move the committed offset by N (negative: back).")
        Long shiftBy;

        @Option(names = "--to-datetime", paramLabel = "TIME", required = true,
                description = "The first record at or after TIME (epoch ms or ISO-8601; local time without an offset).")
        String datetime;
    }

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    static final class Mode {
        @Option(names = "--dry-run", description = "Print the plan without changing anything (the default).")
        boolean dryRun;

        @Option(names = "--execute", description = "Apply the plan.")
        boolean execute;
    }

    @Override
    protected int run() {
        OffsetTarget offsetTarget = offsetTarget();
        try (Admin admin = clients().admin()) {
            Optional<Groups.Listing> existing = existing(admin);
            existing.ifPresent(l -> requireInactive(admin, l));
            Groups.Listing listing = existing.orElseGet(() -> new Groups.Listing(group, GroupType.CLASSIC,
                    Optional.empty()));
            Map<TopicPartition, Long> current = existing.isPresent() ? current(admin, listing) : Map.of();
            Set<TopicPartition> partitions = partitions(admin, current);
            Map<TopicPartition, Long> earliest = Topics.offsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = Topics.offsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> byTime = offsetTarget instanceof OffsetTarget.Datetime d
                    ? Topics.offsets(admin, partitions, OffsetSpec.forTimestamp(d.epochMillis())) : Map.of();

            Map<TopicPartition, Long> plan = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                    .thenComparingInt(TopicPartition::partition));
            for (TopicPartition tp : partitions) {
                Long found = byTime.get(tp);
                plan.put(tp, ResetPlan.offset(offsetTarget, optional(current.get(tp)), earliest.get(tp),
                        latest.get(tp), found == null || found < 0 ? OptionalLong.empty() : OptionalLong.of(found)));
            }
            Table table = new Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
            plan.forEach((tp, offset) -> table.row(tp.topic(), tp.partition(),
                    current.containsKey(tp) ? current.get(tp) : "-", offset));
            table.print(out());
            if (!mode.execute) {
                err().println("dry run: no offsets changed; run again with --execute to apply them");
                return 0;
            }
            apply(admin, listing, plan);
            out().println("reset the offsets of group " + group + " on " + plan.size() + " partitions");
        }
        return 0;
    }

    private OffsetTarget offsetTarget() {
        if (target.earliest) {
            return new OffsetTarget.Earliest();
        }
        if (target.latest) {
            return new OffsetTarget.Latest();
        }
        if (target.offset != null) {
            if (target.offset < 0) {
                throw usageError("--to-offset must not be negative, got " + target.offset);
            }
            return new OffsetTarget.Offset(target.offset);
        }
        if (target.shiftBy != null) {
            return new OffsetTarget.ShiftBy(target.shiftBy);
        }
        try {
            return new OffsetTarget.Datetime(Timestamps.parseEpochMillis(target.datetime, ZoneId.systemDefault()));
        } catch (IllegalArgumentException e) {
            throw usageError("--to-datetime: " + e.getMessage());
        }
    }

    /** The group's listing; empty for a group that does not exist yet, which the reset creates (with --topic). */
    private Optional<Groups.Listing> existing(Admin admin) {
        try {
            return Optional.of(Groups.find(admin, group));
        } catch (CliException e) {
            if (scope.allTopics) {
                throw e;
            }
            return Optional.empty();
        }
    }

    private void requireInactive(Admin admin, Groups.Listing listing) {
        int members;
        String state;
        if (listing.isShare()) {
            var description = Failures.await(() -> admin.describeShareGroups(List.of(group)).describedGroups()
                    .get(group).get());
            members = description.members().size();
            state = String.valueOf(description.groupState());
        } else {
            Groups.requireType(listing, "reset-offsets", List.of(GroupType.CLASSIC, GroupType.CONSUMER));
            var description = Failures.await(() -> admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get());
            members = description.members().size();
            state = String.valueOf(description.groupState());
        }
        if (members > 0) {
            throw new CliException("group '" + group + "' has " + members + " active member" + (members == 1 ? "" : "s")
                    + " (state " + state + "); stop them before resetting its offsets");
        }
    }

    private Map<TopicPartition, Long> current(Admin admin, Groups.Listing listing) {
        Map<TopicPartition, Long> current = new HashMap<>();
        if (listing.isShare()) {
            Map<TopicPartition, SharePartitionOffsetInfo> offsets = Failures.await(() -> admin.listShareGroupOffsets(
                    Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group).get());
            offsets.forEach((tp, info) -> {
                if (info != null) {
                    current.put(tp, info.startOffset());
                }
            });
        } else {
            Map<TopicPartition, OffsetAndMetadata> offsets = Failures.await(() -> admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get());
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    current.put(tp, om.offset());
                }
            });
        }
        return current;
    }

    private Set<TopicPartition> partitions(Admin admin, Map<TopicPartition, Long> current) {
        if (scope.allTopics) {
            if (current.isEmpty()) {
                throw new CliException("group '" + group + "' has no offsets to reset");
            }
            return new LinkedHashSet<>(current.keySet());
        }
        Set<TopicPartition> out = new LinkedHashSet<>();
        for (String spec : scope.topics) {
            int colon = spec.indexOf(':');
            String topic = colon < 0 ? spec : spec.substring(0, colon);
            List<TopicPartition> all = Topics.partitions(admin, topic);
            if (colon < 0) {
                out.addAll(all);
                continue;
            }
            for (int p : partitionList(spec, spec.substring(colon + 1))) {
                if (p < 0 || p >= all.size()) {
                    throw new CliException("topic '" + topic + "' has no partition " + p + " (it has " + all.size()
                            + ")");
                }
                out.add(new TopicPartition(topic, p));
            }
        }
        return out;
    }

    private List<Integer> partitionList(String spec, String list) {
        List<Integer> out = new ArrayList<>();
        for (String p : list.split(",")) {
            try {
                out.add(Integer.parseInt(p.strip()));
            } catch (NumberFormatException e) {
                throw usageError("invalid --topic '" + spec + "' (expected TOPIC or TOPIC:P,P,...)");
            }
        }
        return out;
    }

    private void apply(Admin admin, Groups.Listing listing, Map<TopicPartition, Long> plan) {
        if (listing.isShare()) {
            Failures.await(() -> admin.alterShareGroupOffsets(group, plan).all().get());
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        plan.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        Failures.await(() -> admin.alterConsumerGroupOffsets(group, offsets).all().get());
    }

    private static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
