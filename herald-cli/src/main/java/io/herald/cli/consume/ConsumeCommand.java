package io.herald.cli.consume;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.ShutdownWakeup;
import io.herald.cli.Topics;
import io.herald.cli.convert.DurationConverter;
import io.herald.cli.format.RecordJson;
import io.herald.cli.format.RecordTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald consume TOPIC}: prints records, in one of three modes. Without a group it assigns the topic's
 * partitions (all, or {@code --partition}) and starts at {@code --from}, committing nothing. With {@code --group}
 * it joins a consumer group and commits what it printed. With {@code --share-group} it joins a share group
 * (KIP-932) and acknowledges each printed record as {@code --ack} says.
 *
 * <p>Output is a kcat-style {@code --format} template, or {@code --json} lines; it stops after {@code --count}
 * records, at the end of the partitions ({@code --exit-at-end}), after {@code --idle-timeout} without records, or
 * on Ctrl-C.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Prints records of a topic: assigned partitions, a consumer group, or a share group.",
        footer = {"", "Format tokens (--format):",
                "  %%t topic  %%p partition  %%o offset  %%T timestamp (ms)  %%h headers",
                "  %%k key  %%K key length  %%s value  %%S value length",
                "  %%D delivery count (share groups)  %%%% a percent sign",
                "  Escapes \\n \\t \\r \\\\. Nothing is appended: end with \\n for a record a line.",
                "Example: herald consume orders --from beginning -e -f '%%p:%%o %%k=%%s %%h\\n'"})
public final class ConsumeCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @ArgGroup(exclusive = true)
    Membership membership = new Membership();

    static final class Membership {
        @Option(names = {"-g", "--group"}, paramLabel = "GROUP",
                description = "Read as a member of consumer group GROUP and commit what was printed.")
        String group;

        @Option(names = "--share-group", paramLabel = "GROUP",
                description = "Read as a member of share group GROUP (KIP-932), acknowledging each record.")
        String shareGroup;
    }

    @Option(names = {"-p", "--partition"}, paramLabel = "N", split = ",",
            description = "Read only these partitions (no group; repeatable or comma-separated).")
    List<Integer> partitions = new ArrayList<>();

    @Option(names = {"-o", "--from"}, paramLabel = "POSITION", converter = StartPositionConverter.class,
            description = "beginning, end, an OFFSET, -N (the last N records) or a TIME (default: end; with "
                    + "--group: the committed offset, else beginning/end as given).")
    StartPosition from;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Exit after N records.")
    Long count;

    @Option(names = {"-e", "--exit-at-end"},
            description = "Exit once the records that existed at the start were read (not with --share-group).")
    boolean exitAtEnd;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Exit when no record arrived for this long, e.g. 10s.")
    Duration idleTimeout;

    @Option(names = "--ack", paramLabel = "TYPE", defaultValue = "accept",
            description = "With --share-group: accept, release or reject each printed record (default: "
                    + "${DEFAULT-VALUE}).")
    String ack;

    @ArgGroup(exclusive = true)
    Output output = new Output();

    static final class Output {
        @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
                description = "Print each record with TEMPLATE, e.g. '%%t %%p %%o %%k %%s %%T %%h\\n' (default: '%%s\\n').")
        String format;

        @Option(names = "--json", description = "Print each record as a line of JSON.")
        boolean json;
    }

    @Override
    protected int run() {
        validate();
        Consumer<ConsumerRecord<byte[], byte[]>> print = printer();
        ConsumeLoop.Limits limits = new ConsumeLoop.Limits(
                count == null ? OptionalLong.empty() : OptionalLong.of(count),
                Optional.ofNullable(idleTimeout), exitAtEnd);
        List<TopicPartition> topicPartitions;
        try (Admin admin = clients().admin()) {
            topicPartitions = selected(Topics.partitions(admin, topic));
        }
        RecordSource source = source(topicPartitions);
        ShutdownWakeup guard = ShutdownWakeup.install(source::wakeup);
        try {
            ConsumeLoop.run(source, print, this::flushOutput, limits, System::nanoTime);
        } catch (WakeupException e) {
            // Ctrl-C: stop reading; closing the source below leaves the group.
        } finally {
            source.close();
            guard.close();
        }
        return 0;
    }

    private void validate() {
        if (count != null && count < 1) {
            throw usageError("--count must be at least 1, got " + count);
        }
        if (membership.shareGroup != null) {
            if (!partitions.isEmpty() || from != null || exitAtEnd) {
                throw usageError("--share-group cannot be combined with --partition, --from or --exit-at-end "
                        + "(the share group decides what each member reads)");
            }
            oneOf("--ack", ack, ShareAck.NAMES);
        } else if (!"accept".equals(ack)) {
            throw usageError("--ack needs --share-group");
        }
        if (membership.group != null) {
            if (!partitions.isEmpty()) {
                throw usageError("--partition reads without a group; drop --group or --partition");
            }
            if (from != null && !(from instanceof StartPosition.Beginning || from instanceof StartPosition.End)) {
                throw usageError("with --group, --from is beginning or end (where the group has no committed "
                        + "offset); use group reset-offsets to move a group");
            }
        }
    }

    private Consumer<ConsumerRecord<byte[], byte[]>> printer() {
        if (output.json) {
            return record -> out().println(RecordJson.line(record));
        }
        RecordTemplate template;
        try {
            template = output.format == null ? RecordTemplate.VALUE_LINES : RecordTemplate.parse(output.format);
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
        return record -> out().print(template.render(record));
    }

    private List<TopicPartition> selected(List<TopicPartition> all) {
        if (partitions.isEmpty()) {
            return all;
        }
        List<TopicPartition> chosen = new ArrayList<>();
        for (int p : partitions) {
            if (p < 0 || p >= all.size()) {
                throw new CliException("topic '" + topic + "' has no partition " + p + " (it has " + all.size() + ")");
            }
            chosen.add(new TopicPartition(topic, p));
        }
        return chosen;
    }

    private RecordSource source(List<TopicPartition> topicPartitions) {
        if (membership.shareGroup != null) {
            return new ShareSource(clients().shareConsumer(membership.shareGroup), topic, ShareAck.of(ack));
        }
        if (membership.group != null) {
            String reset = from instanceof StartPosition.Beginning ? "earliest" : "latest";
            return new GroupSource(clients().consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, membership.group,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset)), topic);
        }
        return new AssignedSource(clients().consumer(Map.of()), topicPartitions,
                from == null ? new StartPosition.End() : from);
    }
}
