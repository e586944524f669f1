package io.herald.cli.dlq;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Clients;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import io.herald.cli.format.Table;
import io.herald.cli.progress.ProgressBar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald dlq replay TOPIC [--to TOPIC] [--group GROUP] [--dry-run]}: copies dead-letter records back to
 * their source topic (or {@code --to}), without their {@code __dlq.errors.*} headers.
 *
 * <p>The replay's position is the committed offset of a consumer group ({@value #DEFAULT_GROUP} by default), so a
 * second replay copies only what was dead-lettered since. It reads up to the end offsets taken at the start. After
 * each poll's records were all acknowledged by the target brokers, the group's offsets are committed: delivery is
 * at-least-once (a replay killed between the two copies that poll's records again next time), never lost.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Copies dead-letter records back to their source topic (__dlq.errors.topic) or --to TOPIC.",
                "The position is kept in a consumer group, so running it again copies only newer records."})
public final class ReplayDeadLetters extends ClientCommand {

    static final String DEFAULT_GROUP = "herald-dlq-replay";
    private static final Duration POLL = Duration.ofMillis(200);

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The dead-letter topic.")
    String topic;

    @Option(names = "--to", paramLabel = "TOPIC", description = "Send every record to TOPIC instead of its source.")
    String to;

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", defaultValue = DEFAULT_GROUP,
            description = "The consumer group that keeps the replay's position (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--dry-run", description = "Count what would be replayed where, without sending or committing.")
    boolean dryRun;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: when stderr is a terminal).")
    Boolean progress;

    @Override
    protected int run() {
        try (Admin admin = clients().admin();
             KafkaConsumer<byte[], byte[]> consumer = clients().consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            List<TopicPartition> partitions = Topics.partitions(admin, topic);
            Map<TopicPartition, Long> ends = position(consumer, partitions);
            long total = partitions.stream().mapToLong(tp -> Math.max(0, ends.get(tp) - consumer.position(tp))).sum();
            ReplayTargets targets = new ReplayTargets(admin, Optional.ofNullable(to));
            Map<String, Long> perTarget = new TreeMap<>();
            long skipped;
            if (dryRun) {
                skipped = replay(consumer, partitions, ends, total, targets, perTarget, Optional.empty());
            } else {
                try (KafkaProducer<byte[], byte[]> producer = clients().producer(Map.of(ProducerConfig.ACKS_CONFIG,
                        "all"))) {
                    skipped = replay(consumer, partitions, ends, total, targets, perTarget, Optional.of(producer));
                }
            }
            report(perTarget, skipped);
        }
        return 0;
    }

    /** Seeks every partition to the group's committed offset (or its start); returns the end offsets to stop at. */
    private static Map<TopicPartition, Long> position(KafkaConsumer<byte[], byte[]> consumer,
                                                      List<TopicPartition> partitions) {
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata at = committed.get(tp);
            long start = at == null ? beginnings.get(tp) : Math.max(beginnings.get(tp), at.offset());
            consumer.seek(tp, Math.min(start, ends.get(tp)));
        }
        return Map.copyOf(ends);
    }

    private long replay(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                        Map<TopicPartition, Long> ends, long total, ReplayTargets targets, Map<String, Long> perTarget,
                        Optional<KafkaProducer<byte[], byte[]>> producer) {
        boolean showProgress = progress != null ? progress : environment().stderrTerminal();
        Optional<ProgressBar> bar = showProgress && total > 0
                ? Optional.of(new ProgressBar(err(), dryRun ? "dry run" : "replay", total, ProgressBar.Unit.RECORDS,
                        System::nanoTime))
                : Optional.empty();
        Set<TopicPartition> remaining = new HashSet<>(partitions);
        remaining.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
        consumer.pause(difference(partitions, remaining));
        long done = 0;
        long skipped = 0;
        long lastProgress = System.nanoTime();
        while (!remaining.isEmpty()) {
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    batch.add(r);
                }
            }
            if (batch.isEmpty()) {
                failIfStalled(lastProgress, done, total);
            } else {
                lastProgress = System.nanoTime();
            }
            // Resolve every target before sending any record of the batch: a missing topic fails with nothing
            // half-sent.
            List<Optional<ReplayTargets.Target>> resolved = batch.stream().map(targets::of).toList();
            AtomicReference<Exception> failure = new AtomicReference<>();
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = batch.get(i);
                next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                if (resolved.get(i).isEmpty()) {
                    skipped++;
                    continue;
                }
                ReplayTargets.Target target = resolved.get(i).get();
                perTarget.merge(target.topic(), 1L, Long::sum);
                producer.ifPresent(p -> p.send(copy(r, target), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            if (producer.isPresent() && !batch.isEmpty()) {
                producer.get().flush();
                if (failure.get() != null) {
                    throw new CliException("replay failed after " + done + " records: "
                            + Failures.message(Failures.unwrap(failure.get())), failure.get());
                }
                consumer.commitSync(next);
            }
            done += batch.size();
            bar.ifPresent(b -> b.update(perTarget.values().stream().mapToLong(Long::longValue).sum()));
            Set<TopicPartition> finished = new HashSet<>();
            for (TopicPartition tp : remaining) {
                if (consumer.position(tp) >= ends.get(tp)) {
                    finished.add(tp);
                }
            }
            remaining.removeAll(finished);
            consumer.pause(finished);
        }
        bar.ifPresent(ProgressBar::finish);
        return skipped;
    }

    private static ProducerRecord<byte[], byte[]> copy(ConsumerRecord<byte[], byte[]> r, ReplayTargets.Target target) {
        List<Header> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            if (!h.key().startsWith(DeadLetter.PREFIX)) {
                headers.add(h);
            }
        }
        return new ProducerRecord<>(target.topic(), target.partition().orElse(null), null, r.key(), r.value(),
                headers);
    }

    private void failIfStalled(long lastProgressNanos, long done, long total) {
        if (System.nanoTime() - lastProgressNanos > TimeUnit.MILLISECONDS.toNanos(Clients.API_TIMEOUT.toMillis())) {
            throw new CliException("no records from " + topic + " for " + Clients.API_TIMEOUT.toSeconds()
                    + " s; stopped after " + done + " of " + total + " (the committed position is kept)");
        }
    }

    private void report(Map<String, Long> perTarget, long skipped) {
        long sent = perTarget.values().stream().mapToLong(Long::longValue).sum();
        if (!perTarget.isEmpty()) {
            Table table = new Table("TARGET", "RECORDS");
            perTarget.forEach(table::row);
            table.print(out());
        }
        out().println((dryRun ? "would replay " : "replayed ") + sent + " record" + (sent == 1 ? "" : "s")
                + " from " + topic);
        if (skipped > 0) {
            err().println("herald: warning: skipped " + skipped + " record" + (skipped == 1 ? "" : "s") + " without a "
                    + DeadLetter.TOPIC + " header (replay them with --to TOPIC)");
        }
    }

    private static Set<TopicPartition> difference(List<TopicPartition> all, Set<TopicPartition> remove) {
        Set<TopicPartition> out = new HashSet<>(all);
        out.removeAll(remove);
        return out;
    }
}
