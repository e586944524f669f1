package io.herald.cli.dlq;

import io.herald.cli.ClientCommand;
import io.herald.cli.ShutdownWakeup;
import io.herald.cli.Topics;
import io.herald.cli.consume.AssignedSource;
import io.herald.cli.consume.ConsumeLoop;
import io.herald.cli.consume.StartPosition;
import io.herald.cli.consume.StartPositionConverter;
import io.herald.cli.format.RecordJson;
import io.herald.cli.format.Text;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald dlq show TOPIC}: the records of a dead-letter topic with their KIP-1191 context, one a line
 * ({@code 0:5 source=orders-2@17 group=billing deliveries=5 reason="..." key=k value=v}) or as JSON with a
 * {@code deadLetter} object. Reads what the topic holds now, without a group, and exits.
 */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints the records of a dead-letter topic with where they came from and why.")
public final class ShowDeadLetters extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = {"-o", "--from"}, paramLabel = "POSITION", converter = StartPositionConverter.class,
            description = "beginning, end, an OFFSET, -N or a TIME (default: beginning).")
    StartPosition from = new StartPosition.Beginning();

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Show at most N records.")
    Long count;

    @Option(names = "--json", description = "Print each record as a line of JSON.")
    boolean json;

    @Override
    protected int run() {
        List<TopicPartition> partitions;
        try (Admin admin = clients().admin()) {
            partitions = Topics.partitions(admin, topic);
        }
        Consumer<ConsumerRecord<byte[], byte[]>> print = json
                ? r -> {
                    Map<String, Object> fields = RecordJson.fields(r);
                    fields.put("deadLetter", DeadLetter.of(r).json());
                    out().println(RecordJson.write(fields));
                }
                : r -> out().println(line(r));
        AssignedSource source = new AssignedSource(clients().consumer(Map.of()), partitions, from);
        ShutdownWakeup guard = ShutdownWakeup.install(source::wakeup);
        try {
            ConsumeLoop.run(source, print, this::flushOutput, new ConsumeLoop.Limits(
                    count == null ? OptionalLong.empty() : OptionalLong.of(count), Optional.empty(), true),
                    System::nanoTime);
        } catch (WakeupException e) {
            // Ctrl-C
        } finally {
            source.close();
            guard.close();
        }
        return 0;
    }

    static String line(ConsumerRecord<byte[], byte[]> r) {
        DeadLetter dl = DeadLetter.of(r);
        return r.partition() + ":" + r.offset() + " source=" + dl.source() + " group=" + dl.group().orElse("?")
                + " deliveries=" + dl.deliveryCount().orElse("?") + " reason=\"" + dl.message().orElse("") + "\""
                + " key=" + Optional.ofNullable(Text.string(r.key())).orElse("")
                + " value=" + Optional.ofNullable(Text.string(r.value())).orElse("");
    }
}
