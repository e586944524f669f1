package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams with {@code processing.guarantee=exactly_once_v2} against the launched broker: a word count through
 * a repartition topic and a changelogged store, with the broker restarted under it and then the application
 * restarted. Every output record is
 * written in the same transaction as the input offsets and the changelog, so a read_committed reader of the output
 * sees each word's count rise one by one to exactly its number of occurrences: no count is skipped or repeated.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaStreamsExactlyOnceTest {
    private static final String INPUT = "eos-lines";
    private static final String OUTPUT = "eos-counts";
    private static final List<String> WORDS = List.of("alpha", "beta", "gamma", "delta");

    @TempDir
    static Path workDir;

    private static LaunchedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new LaunchedBroker(workDir.resolve("broker"), Map.of("num.partitions", "2",
                "transaction.state.log.num.partitions", "3", "offsets.topic.num.partitions", "3"));
        java.nio.file.Files.createDirectories(workDir.resolve("broker"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaStreams wordCount() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count()
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-word-count");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("state").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // every update reaches the output
        // A closed Streams member does not leave its group: the restarted one waits out its session, so keep it
        // short (the broker's group.min.session.timeout.ms).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }

    private static void produceLines(int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = from; i < to; i++) {
                // line i holds the first (i % 4) + 1 words
                producer.send(new ProducerRecord<>(INPUT, "line-" + i, String.join(" ", WORDS.subList(0, i % 4 + 1))));
            }
            producer.flush();
        }
    }

    /** Occurrences of each word in lines [0, n). */
    private static Map<String, Long> expected(int n) {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            WORDS.subList(0, i % 4 + 1).forEach(w -> counts.merge(w, 1L, Long::sum));
        }
        return counts;
    }

    @Test
    void wordCountSeesEveryLineExactlyOnceAcrossBrokerAndApplicationRestarts() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(INPUT, 2, (short) 1), new NewTopic(OUTPUT, 2, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Map<String, List<Long>> seen = new HashMap<>();
        try (KafkaConsumer<String, Long> reader = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "eos-reader",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class))) {
            reader.subscribe(List.of(OUTPUT));

            produceLines(0, 200);
            KafkaStreams first = wordCount();
            awaitCounts(reader, seen, expected(200));

            // the broker restarts under the running application: open transactions are aborted or completed
            // from __transaction_state, and the application goes on from its committed offsets and changelog
            assertThat(broker.stop(Duration.ofSeconds(60))).as("broker stopped on SIGTERM").isPresent();
            broker.start();
            produceLines(200, 300);
            awaitCounts(reader, seen, expected(300));
            first.close(Duration.ofSeconds(30));

            produceLines(300, 400);
            KafkaStreams second = wordCount();
            awaitCounts(reader, seen, expected(400));
            second.close(Duration.ofSeconds(30));
        }
        // exactly once: each word's committed counts are 1, 2, 3, ... with no gap and no repeat
        seen.forEach((word, counts) -> {
            for (int i = 0; i < counts.size(); i++) {
                assertThat(counts.get(i)).as("count #%d of %s", i + 1, word).isEqualTo(i + 1L);
            }
        });
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(WORDS);
    }

    private static void awaitCounts(KafkaConsumer<String, Long> reader, Map<String, List<Long>> seen,
                                    Map<String, Long> expected) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ZERO).untilAsserted(() -> {
            for (ConsumerRecord<String, Long> r : reader.poll(Duration.ofMillis(200))) {
                seen.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r.value());
            }
            Map<String, Long> latest = new HashMap<>();
            seen.forEach((word, counts) -> latest.put(word, counts.get(counts.size() - 1)));
            assertThat(latest).isEqualTo(expected);
        });
    }
}
