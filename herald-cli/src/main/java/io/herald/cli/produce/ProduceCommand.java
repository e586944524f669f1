package io.herald.cli.produce;

import io.herald.cli.CliException;
import io.herald.cli.ClientCommand;
import io.herald.cli.Failures;
import io.herald.cli.Topics;
import io.herald.cli.convert.DurationConverter;
import io.herald.cli.convert.Timestamps;
import io.herald.cli.format.Text;
import io.herald.cli.progress.ProgressBar;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald produce TOPIC}: one record per line of standard input or {@code --file}, with an optional key
 * separator, fixed headers, a partition, acks, compression and Herald's delay headers.
 *
 * <p>Sends are asynchronous; the first failed send stops reading, and the command fails naming how many records
 * were acknowledged before it. A progress bar (bytes of the file, rate, ETA) goes to standard error when it is a
 * terminal and the input is a file, or whenever {@code --progress} asks for it.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Sends one record per input line (standard input, or --file).",
        footer = {"", "Delayed delivery (Herald): --delay and --deliver-at set the herald.delay.ms / herald.deliver.at",
                "headers; the topic needs herald.delivery.delay.enable=true, other brokers deliver at once."})
public final class ProduceCommand extends ClientCommand {

    private static final List<String> ACKS = List.of("all", "-1", "0", "1");
    private static final List<String> COMPRESSION = List.of("none", "gzip", "snappy", "lz4", "zstd");

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read records from FILE (default: stdin).")
    Path file;

    @Option(names = {"-K", "--key-separator"}, paramLabel = "SEP",
            description = "Split each line at the first SEP into key and value.")
    String keySeparator;

    @Option(names = {"-H", "--header"}, paramLabel = "KEY=VALUE", description = "A header on every record (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-p", "--partition"}, paramLabel = "N",
            description = "Send to partition N (default: by key hash, or sticky without a key).")
    Integer partition;

    @Option(names = "--acks", paramLabel = "ACKS", defaultValue = "all",
            description = "all, 1 or 0 (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = {"-z", "--compression"}, paramLabel = "CODEC", defaultValue = "none",
            description = "none, gzip, snappy, lz4 or zstd (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Deliver each record this long after the broker got it, e.g. 30s, 500ms, 5m (Herald).")
    Duration delay;

    @Option(names = "--deliver-at", paramLabel = "TIME",
            description = "Deliver each record at TIME: epoch ms or ISO-8601, e.g. 2025-01-01T09:00:00Z (Herald).")
    String deliverAt;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: for --file when stderr is a terminal).")
    Boolean progress;

    @Override
    protected int run() throws IOException {
        oneOf("--acks", acks, ACKS);
        oneOf("--compression", compression, COMPRESSION);
        List<Header> fixedHeaders = fixedHeaders();
        LineFormat format = new LineFormat(Optional.ofNullable(keySeparator).map(sep -> {
            if (sep.isEmpty()) {
                throw usageError("--key-separator must not be empty");
            }
            return Text.bytes(sep);
        }));
        checkTopic();
        long total = file == null ? 0 : size(file);
        boolean showProgress = progress != null ? progress : file != null && environment().stderrTerminal();
        try (InputStream in = file == null ? environment().stdin() : open(file);
             KafkaProducer<byte[], byte[]> producer = clients().producer(Map.of(ProducerConfig.ACKS_CONFIG, acks,
                     ProducerConfig.COMPRESSION_TYPE_CONFIG, compression))) {
            LineReader reader = new LineReader(in, (byte) '\n');
            Optional<ProgressBar> bar = showProgress ? Optional.of(new ProgressBar(err(), "produce", total,
                    file == null ? ProgressBar.Unit.RECORDS : ProgressBar.Unit.BYTES, System::nanoTime))
                    : Optional.empty();
            AtomicReference<Exception> failure = new AtomicReference<>();
            AtomicLong acked = new AtomicLong();
            Optional<byte[]> line;
            while (failure.get() == null && (line = reader.next()).isPresent()) {
                long lineNumber = reader.lines();
                LineFormat.KeyValue kv = format.split(line.get()).orElseThrow(() -> new CliException("line "
                        + lineNumber + " has no key separator '" + keySeparator + "' (" + acked.get()
                        + " records before it were sent)"));
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null, kv.key(),
                        kv.value(), fixedHeaders);
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.incrementAndGet();
                    }
                });
                long done = file == null ? reader.lines() : reader.bytesRead();
                bar.ifPresent(b -> b.update(done));
            }
            producer.flush();
            bar.ifPresent(ProgressBar::finish);
            if (failure.get() != null) {
                throw new CliException("failed to produce to topic '" + topic + "' after " + acked.get()
                        + " records: " + Failures.message(Failures.unwrap(failure.get())), failure.get());
            }
            if (bar.isPresent()) {
                err().println("produced " + acked.get() + " records to " + topic);
            }
        }
        return 0;
    }

    private List<Header> fixedHeaders() {
        List<Header> out = new ArrayList<>();
        for (String header : headers) {
            int eq = header.indexOf('=');
            if (eq <= 0) {
                throw usageError("invalid --header '" + header + "' (expected KEY=VALUE)");
            }
            out.add(new RecordHeader(header.substring(0, eq), Text.bytes(header.substring(eq + 1))));
        }
        if (delay != null) {
            out.add(new RecordHeader(DelayHeaders.DELAY_MS, Text.bytes(Long.toString(delay.toMillis()))));
        }
        if (deliverAt != null) {
            long at;
            try {
                at = Timestamps.parseEpochMillis(deliverAt, ZoneId.systemDefault());
            } catch (IllegalArgumentException e) {
                throw usageError("--deliver-at: " + e.getMessage());
            }
            out.add(new RecordHeader(DelayHeaders.DELIVER_AT, Text.bytes(Long.toString(at))));
        }
        return List.copyOf(out);
    }

    /** Fails early, with the user's words, for a missing topic or partition; warns when a delay would be ignored. */
    private void checkTopic() {
        try (Admin admin = clients().admin()) {
            int partitions = Topics.describe(admin, topic).partitions().size();
            if (partition != null && (partition < 0 || partition >= partitions)) {
                throw new CliException("topic '" + topic + "' has no partition " + partition + " (it has "
                        + partitions + ")");
            }
            if (delay != null || deliverAt != null) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = Failures.await(() -> admin.describeConfigs(List.of(resource)).all().get())
                        .get(resource);
                ConfigEntry enable = config.get(DelayHeaders.ENABLE_CONFIG);
                if (enable == null || !Boolean.parseBoolean(enable.value())) {
                    err().println("herald: warning: topic '" + topic + "' does not have "
                            + DelayHeaders.ENABLE_CONFIG + "=true: records are delivered at once");
                }
            }
        }
    }

    private static long size(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new CliException("file " + file + " does not exist");
        }
    }

    private static InputStream open(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new CliException("file " + file + " does not exist");
        }
    }
}
