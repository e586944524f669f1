package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client quotas with kafka-clients 4.3: Admin {@code alterClientQuotas} / {@code describeClientQuotas} (what
 * {@code kafka-configs.sh --entity-type users/clients} sends), their durability across a restart, and enforcement
 * of a quota set while the client is connected: a producer and a consumer held to their byte rates (measured, with
 * the clients' own throttle-time metrics), and a topic creation refused once the controller mutation rate is spent.
 *
 * <p>The brokers measure over 2 windows of 1 s instead of Kafka's 11, so that a quota bites after a burst of about
 * one second's worth instead of ten.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientQuotasTest {
    private static final int T = 20;
    private static final int MIB = 1 << 20;
    private static final Map<String, String> SHORT_WINDOWS = Map.of("quota.window.num", "2",
            "quota.window.size.seconds", "1", "controller.quota.window.num", "2",
            "controller.quota.window.size.seconds", "1");

    @TempDir
    Path dir;

    private static ClientQuotaEntity entity(String type, String name) {
        Map<String, String> parts = new HashMap<>();
        parts.put(type, name);
        return new ClientQuotaEntity(parts);
    }

    private static void alter(Admin admin, ClientQuotaEntity entity, String key, Double value) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op(key, value))))).all().get(T, TimeUnit.SECONDS);
    }

    private static Map<ClientQuotaEntity, Map<String, Double>> describe(Admin admin, ClientQuotaFilter filter)
            throws Exception {
        return admin.describeClientQuotas(filter).entities().get(T, TimeUnit.SECONDS);
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().group().equals(group)
                        && e.getKey().name().equals(name)).mapToDouble(e -> (Double) e.getValue().metricValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + group + "/" + name));
    }

    @Test
    void quotasAreAlteredDescribedWithKafkasFiltersAndSurviveARestart() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();
            ClientQuotaEntity alice = entity(ClientQuotaEntity.USER, "alice");
            Map<String, String> aliceApp = new HashMap<>();
            aliceApp.put(ClientQuotaEntity.USER, "alice");
            aliceApp.put(ClientQuotaEntity.CLIENT_ID, "app");
            ClientQuotaEntity defaultUser = entity(ClientQuotaEntity.USER, null);
            admin.alterClientQuotas(List.of(
                    new ClientQuotaAlteration(alice, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1e6),
                            new ClientQuotaAlteration.Op("consumer_byte_rate", 2e6))),
                    new ClientQuotaAlteration(new ClientQuotaEntity(aliceApp),
                            List.of(new ClientQuotaAlteration.Op("request_percentage", 12.5))),
                    new ClientQuotaAlteration(defaultUser,
                            List.of(new ClientQuotaAlteration.Op("controller_mutation_rate", 10.0)))))
                    .all().get(T, TimeUnit.SECONDS);
            // validate_only changes nothing; a fractional byte rate is refused with Kafka's error.
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 5.0)))),
                    new AlterClientQuotasOptions().validateOnly(true)).all().get(T, TimeUnit.SECONDS);
            assertThatThrownBy(() -> alter(admin, alice, "consumer_byte_rate", 1.5))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("consumer_byte_rate cannot be a fractional value.");

            assertThat(describe(admin, ClientQuotaFilter.all())).isEqualTo(Map.of(
                    alice, Map.of("producer_byte_rate", 1e6, "consumer_byte_rate", 2e6),
                    new ClientQuotaEntity(aliceApp), Map.of("request_percentage", 12.5),
                    defaultUser, Map.of("controller_mutation_rate", 10.0)));
            assertThat(describe(admin, ClientQuotaFilter.containsOnly(List.of(
                    ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, "alice"))))).containsOnlyKeys(alice);
            assertThat(describe(admin, ClientQuotaFilter.contains(List.of(
                    ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.CLIENT_ID)))))
                    .containsOnlyKeys(new ClientQuotaEntity(aliceApp));
            assertThat(describe(admin, ClientQuotaFilter.contains(List.of(
                    ClientQuotaFilterComponent.ofDefaultEntity(ClientQuotaEntity.USER))))).containsOnlyKeys(defaultUser);
            assertThatThrownBy(() -> describe(admin, ClientQuotaFilter.contains(List.of(
                    ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.IP),
                    ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.USER)))))
                    .hasCauseInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("IP filter component should not be used with user or clientId");

            alter(admin, alice, "consumer_byte_rate", null);
            broker.restart();

            assertThat(describe(broker.admin(), ClientQuotaFilter.all())).isEqualTo(Map.of(
                    alice, Map.of("producer_byte_rate", 1e6),
                    new ClientQuotaEntity(aliceApp), Map.of("request_percentage", 12.5),
                    defaultUser, Map.of("controller_mutation_rate", 10.0)));
        }
    }

    @Test
    void aConnectedProducerIsHeldToAByteRateSetWhileItRuns() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, SHORT_WINDOWS)) {
            broker.createTopic("q", 1, Map.of());
            KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.CLIENT_ID_CONFIG, "slow",
                    ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024));
            String value = "x".repeat(8 * 1024);
            producer.send(new ProducerRecord<>("q", value)).get(T, TimeUnit.SECONDS); // connected, unthrottled

            alter(broker.admin(), entity(ClientQuotaEntity.CLIENT_ID, "slow"), "producer_byte_rate", (double) MIB);
            long start = System.nanoTime();
            int records = 5 * MIB / value.length();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("q", value));
            }
            producer.flush();
            double seconds = (System.nanoTime() - start) / 1e9;

            // 5 MiB at 1 MiB/s, after a burst of about one window: 4 s or so, never the fraction of a second an
            // unthrottled local producer takes.
            System.out.printf("producer at a 1 MiB/s quota: %.2f MiB/s over %.1f s%n", 5.0 / seconds, seconds);
            assertThat(5.0 / seconds).as("MiB/s over %.1f s", seconds).isBetween(0.5, 1.6);
            assertThat(metric(producer.metrics(), "producer-metrics", "produce-throttle-time-max")).isPositive();
        }
    }

    @Test
    void aConsumerIsHeldToItsByteRateAndReadsEverything() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, SHORT_WINDOWS)) {
            broker.createTopic("q", 1, Map.of());
            String value = "y".repeat(8 * 1024);
            int records = 5 * MIB / value.length();
            KafkaProducer<String, String> producer = broker.producer();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("q", value));
            }
            producer.flush();
            alter(broker.admin(), entity(ClientQuotaEntity.CLIENT_ID, "slow-reader"), "consumer_byte_rate",
                    (double) MIB);

            KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.CLIENT_ID_CONFIG,
                    "slow-reader", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000));
            TopicPartition tp = new TopicPartition("q", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            int read = 0;
            while (read < records && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> batch = consumer.poll(java.time.Duration.ofMillis(500));
                read += batch.count();
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(read).isEqualTo(records);
            System.out.printf("consumer at a 1 MiB/s quota: %.2f MiB/s over %.1f s%n", 5.0 / seconds, seconds);
            assertThat(5.0 / seconds).as("MiB/s over %.1f s", seconds).isBetween(0.5, 1.6);
            assertThat(metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-max"))
                    .isPositive();
        }
    }

    @Test
    void topicCreationsOverTheControllerMutationRateAreRefused() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, SHORT_WINDOWS)) {
            Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "creator");
            alter(broker.admin(), entity(ClientQuotaEntity.CLIENT_ID, "creator"), "controller_mutation_rate", 1.0);
            CreateTopicsOptions noRetry = new CreateTopicsOptions().retryOnQuotaViolation(false);

            // The bucket holds 2 partitions (1/s over 2 windows of 1 s); a request may take it below zero, to -8.
            try (Admin first = Admin.create(config)) {
                first.createTopics(List.of(new NewTopic("first", 10, (short) 1)), noRetry).all()
                        .get(T, TimeUnit.SECONDS);
            }
            // A second client of the same client-id (the first would itself wait out the throttle time it was
            // given, by which time the bucket has refilled) is refused while the bucket is below zero.
            try (Admin second = Admin.create(config)) {
                assertThatThrownBy(() -> second.createTopics(List.of(new NewTopic("second", 1, (short) 1)), noRetry)
                        .all().get(T, TimeUnit.SECONDS)).hasCauseInstanceOf(ThrottlingQuotaExceededException.class);
            }
            assertThat(broker.admin().listTopics().names().get(T, TimeUnit.SECONDS)).contains("first")
                    .doesNotContain("second");
            // Other clients have no quota.
            broker.admin().createTopics(List.of(new NewTopic("third", 4, (short) 1))).all().get(T, TimeUnit.SECONDS);
        }
    }

    /**
     * An ip quota set through Admin: with {@code connection_creation_rate=1} on the default ip entity (measured over
     * 2 windows of 1 s here), a burst of connections has one closed unanswered after the throttle time within its
     * first few; once the quota is removed, connections are served again.
     */
    @Test
    void connectionsOverAnIpConnectionCreationRateAreClosedUnserved() throws Exception {
        try (TestBroker broker = TestBroker.start(dir, SHORT_WINDOWS)) {
            alter(broker.admin(), entity(ClientQuotaEntity.IP, null), "connection_creation_rate", 1.0);
            assertThat(describe(broker.admin(), ClientQuotaFilter.all())).containsEntry(
                    entity(ClientQuotaEntity.IP, null), Map.of("connection_creation_rate", 1.0));
            // A burst of connections: the quota allows one a second, so within the burst one is refused (the
            // Admin's own connections may already have taken this second's allowance).
            List<TestBroker.RawConnection> burst = new ArrayList<>();
            boolean refused = false;
            try {
                for (int i = 0; i < 10 && !refused; i++) {
                    TestBroker.RawConnection connection = broker.raw();
                    burst.add(connection);
                    try {
                        connection.<ApiVersionsResponse>roundTrip(new ApiVersionsRequest.Builder().build((short) 3));
                    } catch (java.io.EOFException | java.net.SocketException closedUnanswered) {
                        refused = true;
                    }
                }
            } finally {
                for (TestBroker.RawConnection connection : burst) {
                    connection.close();
                }
            }
            assertThat(refused).as("a connection of the burst closed unanswered").isTrue();
            assertThat(burst.size()).as("connections opened until one was refused").isLessThanOrEqualTo(3);
            alter(broker.admin(), entity(ClientQuotaEntity.IP, null), "connection_creation_rate", null);
            for (int i = 0; i < 3; i++) {
                try (TestBroker.RawConnection again = broker.raw()) {
                    assertThat(again.<ApiVersionsResponse>roundTrip(new ApiVersionsRequest.Builder().build((short) 3))
                            .data().errorCode()).isZero();
                }
            }
        }
    }
}

