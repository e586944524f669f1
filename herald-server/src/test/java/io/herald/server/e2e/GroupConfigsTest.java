package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's dynamic group configs (the GROUP config resource, KIP-848/KIP-932) with the stock Admin client, as
 * {@code kafka-configs.sh --entity-type groups} uses them. The expected answers are what Kafka 4.3.1 gave to the
 * same calls: a single-node KRaft broker ({@code kafka.Kafka}) with default configs, and one with
 * {@code group.share.record.lock.duration.ms=20000} and lowered consumer bounds in its server.properties.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GroupConfigsTest {
    private static final long T = 20;

    /** Kafka 4.3.1's describeConfigs(includeSynonyms) of a group without configs: name=value source type [synonyms]. */
    private static final List<String> KAFKA_UNSET = List.of(
            "consumer.assignment.interval.ms=1000 DEFAULT_CONFIG INT "
                    + "[group.consumer.assignment.interval.ms=1000/DEFAULT_CONFIG]",
            "consumer.heartbeat.interval.ms=5000 DEFAULT_CONFIG INT "
                    + "[group.consumer.heartbeat.interval.ms=5000/DEFAULT_CONFIG]",
            "consumer.session.timeout.ms=45000 DEFAULT_CONFIG INT "
                    + "[group.consumer.session.timeout.ms=45000/DEFAULT_CONFIG]",
            "share.assignment.interval.ms=1000 DEFAULT_CONFIG INT "
                    + "[group.share.assignment.interval.ms=1000/DEFAULT_CONFIG]",
            "share.auto.offset.reset=latest DEFAULT_CONFIG STRING [share.auto.offset.reset=latest/DEFAULT_CONFIG]",
            "share.delivery.count.limit=5 DEFAULT_CONFIG INT [group.share.delivery.count.limit=5/DEFAULT_CONFIG]",
            "share.heartbeat.interval.ms=5000 DEFAULT_CONFIG INT "
                    + "[group.share.heartbeat.interval.ms=5000/DEFAULT_CONFIG]",
            "share.isolation.level=read_uncommitted DEFAULT_CONFIG STRING "
                    + "[share.isolation.level=read_uncommitted/DEFAULT_CONFIG]",
            "share.partition.max.record.locks=2000 DEFAULT_CONFIG INT "
                    + "[group.share.partition.max.record.locks=2000/DEFAULT_CONFIG]",
            "share.record.lock.duration.ms=30000 DEFAULT_CONFIG INT "
                    + "[group.share.record.lock.duration.ms=30000/DEFAULT_CONFIG]",
            "share.renew.acknowledge.enable=true DEFAULT_CONFIG BOOLEAN "
                    + "[share.renew.acknowledge.enable=true/DEFAULT_CONFIG]",
            "share.session.timeout.ms=45000 DEFAULT_CONFIG INT [group.share.session.timeout.ms=45000/DEFAULT_CONFIG]",
            "streams.assignment.interval.ms=1000 DEFAULT_CONFIG INT "
                    + "[group.streams.assignment.interval.ms=1000/DEFAULT_CONFIG]",
            "streams.heartbeat.interval.ms=5000 DEFAULT_CONFIG INT "
                    + "[group.streams.heartbeat.interval.ms=5000/DEFAULT_CONFIG]",
            "streams.initial.rebalance.delay.ms=3000 DEFAULT_CONFIG INT "
                    + "[group.streams.initial.rebalance.delay.ms=3000/DEFAULT_CONFIG]",
            "streams.num.standby.replicas=0 DEFAULT_CONFIG INT [group.streams.num.standby.replicas=0/DEFAULT_CONFIG]",
            "streams.session.timeout.ms=45000 DEFAULT_CONFIG INT "
                    + "[group.streams.session.timeout.ms=45000/DEFAULT_CONFIG]");

    /** The entries that change after share.auto.offset.reset=earliest, share.record.lock.duration.ms=40000 and
     * consumer.session.timeout.ms=" 50000 " (Kafka shows the parsed value). */
    private static final List<String> KAFKA_SET = List.of(
            "consumer.session.timeout.ms=50000 DYNAMIC_GROUP_CONFIG INT "
                    + "[consumer.session.timeout.ms=50000/DYNAMIC_GROUP_CONFIG, "
                    + "group.consumer.session.timeout.ms=45000/DEFAULT_CONFIG]",
            "share.auto.offset.reset=earliest DYNAMIC_GROUP_CONFIG STRING "
                    + "[share.auto.offset.reset=earliest/DYNAMIC_GROUP_CONFIG, "
                    + "share.auto.offset.reset=latest/DEFAULT_CONFIG]",
            "share.record.lock.duration.ms=40000 DYNAMIC_GROUP_CONFIG INT "
                    + "[share.record.lock.duration.ms=40000/DYNAMIC_GROUP_CONFIG, "
                    + "group.share.record.lock.duration.ms=30000/DEFAULT_CONFIG]");

    /** Herald's additions, described like Kafka's own configs without a broker synonym. */
    private static final List<String> HERALD_ONLY_UNSET = List.of(
            "errors.deadletterqueue.copy.record.enable=false DEFAULT_CONFIG BOOLEAN "
                    + "[errors.deadletterqueue.copy.record.enable=false/DEFAULT_CONFIG]",
            "errors.deadletterqueue.topic.name=null DEFAULT_CONFIG STRING []",
            "herald.share.retry.backoff.max.ms=60000 DEFAULT_CONFIG LONG "
                    + "[herald.share.retry.backoff.max.ms=60000/DEFAULT_CONFIG]",
            "herald.share.retry.backoff.ms=0 DEFAULT_CONFIG LONG [herald.share.retry.backoff.ms=0/DEFAULT_CONFIG]",
            "herald.share.retry.backoff.multiplier=2.0 DEFAULT_CONFIG DOUBLE "
                    + "[herald.share.retry.backoff.multiplier=2.0/DEFAULT_CONFIG]");

    /** Kafka 4.3.1's answer to setting one config on a group, by config=value. */
    private static final List<Map.Entry<String, String>> KAFKA_ERRORS = List.of(
            Map.entry("share.record.lock.duration.ms=10000",
                    "InvalidConfigurationException: share.record.lock.duration.ms must be greater than or equal "
                    + "to group.share.min.record.lock.duration.ms"),
            Map.entry("share.record.lock.duration.ms=500",
                    "InvalidConfigurationException: Invalid value 500 for configuration "
                    + "share.record.lock.duration.ms: Value must be at least 1000"),
            Map.entry("share.record.lock.duration.ms=abc",
                    "InvalidConfigurationException: Invalid value abc for configuration "
                    + "share.record.lock.duration.ms: Not a number of type INT"),
            Map.entry("share.delivery.count.limit=11",
                    "InvalidConfigurationException: share.delivery.count.limit must be less than or equal to "
                    + "group.share.max.delivery.count.limit"),
            Map.entry("share.partition.max.record.locks=5000",
                    "InvalidConfigurationException: share.partition.max.record.locks must be less than or equal "
                    + "to group.share.max.partition.max.record.locks"),
            Map.entry("share.session.timeout.ms=61000",
                    "InvalidConfigurationException: share.session.timeout.ms must be less than or equal to "
                    + "group.share.max.session.timeout.ms"),
            Map.entry("consumer.heartbeat.interval.ms=4000",
                    "InvalidConfigurationException: consumer.heartbeat.interval.ms must be greater than or "
                    + "equal to group.consumer.min.heartbeat.interval.ms"),
            Map.entry("consumer.session.timeout.ms=70000",
                    "InvalidConfigurationException: consumer.session.timeout.ms must be less than or equal to "
                    + "group.consumer.max.session.timeout.ms"),
            Map.entry("consumer.assignment.interval.ms=20000",
                    "InvalidConfigurationException: consumer.assignment.interval.ms must be less than or equal "
                    + "to group.consumer.max.assignment.interval.ms"),
            Map.entry("streams.num.standby.replicas=3",
                    "InvalidConfigurationException: streams.num.standby.replicas must be less than or equal to "
                    + "group.streams.max.standby.replicas"),
            Map.entry("share.auto.offset.reset=foo",
                    "InvalidConfigurationException: Invalid value foo for configuration "
                    + "share.auto.offset.reset: Invalid value `foo` for configuration share.auto.offset.reset. "
                    + "The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'."),
            Map.entry("share.isolation.level=READ_COMMITTED",
                    "InvalidConfigurationException: Invalid value READ_COMMITTED for configuration "
                    + "share.isolation.level: String must be one of: read_committed, read_uncommitted"),
            Map.entry("share.renew.acknowledge.enable=maybe",
                    "InvalidConfigurationException: Invalid value maybe for configuration "
                    + "share.renew.acknowledge.enable: Expected value to be either true or false"),
            Map.entry("foo.bar=1", "InvalidConfigurationException: Unknown group config name: foo.bar"),
            Map.entry("share.assignor.offload.enable=true",
                    "InvalidConfigurationException: Unknown group config name: share.assignor.offload.enable"));

    @TempDir
    Path dir;
    TestBroker broker;
    Admin admin;

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private void start(Map<String, String> overrides) throws Exception {
        broker = TestBroker.start(dir, overrides);
        admin = broker.admin();
    }

    private static ConfigResource group(String name) {
        return new ConfigResource(ConfigResource.Type.GROUP, name);
    }

    private static AlterConfigOp op(String name, String value, OpType type) {
        return new AlterConfigOp(new ConfigEntry(name, value), type);
    }

    /** "OK", or the exception and message, as the Kafka answers above are written. */
    private String alter(String group, AlterConfigOp... ops) throws Exception {
        try {
            admin.incrementalAlterConfigs(Map.of(group(group), List.of(ops))).all().get(T, TimeUnit.SECONDS);
            return "OK";
        } catch (ExecutionException e) {
            return e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
        }
    }

    private Config describe(String group) throws Exception {
        return admin.describeConfigs(List.of(group(group)), new DescribeConfigsOptions().includeSynonyms(true)).all()
                .get(T, TimeUnit.SECONDS).get(group(group));
    }

    private static String line(ConfigEntry e) {
        return e.name() + "=" + e.value() + " " + e.source() + " " + e.type() + " [" + e.synonyms().stream()
                .map(s -> s.name() + "=" + s.value() + "/" + s.source()).collect(Collectors.joining(", ")) + "]";
    }

    private static List<String> lines(Config config) {
        return config.entries().stream().map(GroupConfigsTest::line).sorted().toList();
    }

    /** {@code expected} with the entries of {@code changed} in place of those of the same name. */
    private static List<String> with(List<String> expected, Collection<String> changed) {
        List<String> result = new ArrayList<>();
        for (String line : expected) {
            String name = line.substring(0, line.indexOf('='));
            result.add(changed.stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(line));
        }
        return result.stream().sorted().toList();
    }

    private static List<String> all(List<String> kafka) {
        List<String> all = new ArrayList<>(kafka);
        all.addAll(HERALD_ONLY_UNSET);
        return all.stream().sorted().toList();
    }

    @Test
    void setDescribeAndDeleteAGroupConfigAsKafkaDoes() throws Exception {
        start(Map.of());
        assertThat(lines(describe("orders-workers"))).isEqualTo(all(KAFKA_UNSET));

        assertThat(alter("orders-workers", op("share.auto.offset.reset", "earliest", OpType.SET),
                op("share.record.lock.duration.ms", "40000", OpType.SET),
                op("consumer.session.timeout.ms", " 50000 ", OpType.SET))).isEqualTo("OK");
        assertThat(lines(describe("orders-workers"))).isEqualTo(all(with(KAFKA_UNSET, KAFKA_SET)));

        assertThat(alter("orders-workers", op("share.auto.offset.reset", null, OpType.DELETE),
                op("share.record.lock.duration.ms", null, OpType.DELETE),
                op("consumer.session.timeout.ms", null, OpType.DELETE))).isEqualTo("OK");
        assertThat(lines(describe("orders-workers"))).isEqualTo(all(KAFKA_UNSET));
    }

    @Test
    void invalidGroupConfigsGetKafkasErrors() throws Exception {
        start(Map.of());
        for (Map.Entry<String, String> expected : KAFKA_ERRORS) {
            String[] kv = expected.getKey().split("=", 2);

            assertThat(alter("orders-workers", op(kv[0], kv[1], OpType.SET))).as(expected.getKey())
                    .isEqualTo(expected.getValue());
        }
        assertThat(describe("orders-workers").entries()).allSatisfy(e ->
                assertThat(e.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG));
    }

    @Test
    void theBrokersStaticGroupConfigsAreTheDefaultsAndBoundsAsInKafka() throws Exception {
        start(Map.of("group.share.record.lock.duration.ms", "20000", "group.consumer.min.session.timeout.ms",
                "10000", "group.consumer.session.timeout.ms", "10000"));
        Map<String, String> before = describe("g").entries().stream()
                .collect(Collectors.toMap(ConfigEntry::name, GroupConfigsTest::line));

        // Kafka 4.3.1 with the same server.properties:
        assertThat(before.get("share.record.lock.duration.ms")).isEqualTo("share.record.lock.duration.ms=20000 "
                + "STATIC_BROKER_CONFIG INT [group.share.record.lock.duration.ms=20000/STATIC_BROKER_CONFIG, "
                + "group.share.record.lock.duration.ms=30000/DEFAULT_CONFIG]");
        assertThat(before.get("consumer.session.timeout.ms")).isEqualTo("consumer.session.timeout.ms=10000 "
                + "STATIC_BROKER_CONFIG INT [group.consumer.session.timeout.ms=10000/STATIC_BROKER_CONFIG, "
                + "group.consumer.session.timeout.ms=45000/DEFAULT_CONFIG]");
        assertThat(alter("g", op("consumer.session.timeout.ms", "12000", OpType.SET),
                op("share.record.lock.duration.ms", "40000", OpType.SET))).isEqualTo("OK");
        Map<String, String> after = describe("g").entries().stream()
                .collect(Collectors.toMap(ConfigEntry::name, GroupConfigsTest::line));
        assertThat(after.get("share.record.lock.duration.ms")).isEqualTo("share.record.lock.duration.ms=40000 "
                + "DYNAMIC_GROUP_CONFIG INT [share.record.lock.duration.ms=40000/DYNAMIC_GROUP_CONFIG, "
                + "group.share.record.lock.duration.ms=20000/STATIC_BROKER_CONFIG, "
                + "group.share.record.lock.duration.ms=30000/DEFAULT_CONFIG]");
        assertThat(after.get("consumer.session.timeout.ms")).isEqualTo("consumer.session.timeout.ms=12000 "
                + "DYNAMIC_GROUP_CONFIG INT [consumer.session.timeout.ms=12000/DYNAMIC_GROUP_CONFIG, "
                + "group.consumer.session.timeout.ms=10000/STATIC_BROKER_CONFIG, "
                + "group.consumer.session.timeout.ms=45000/DEFAULT_CONFIG]");
    }

    @Test
    void groupConfigsSurviveARestartAndNeedNoGroup() throws Exception {
        start(Map.of());
        assertThat(alter("never-joined", op("share.delivery.count.limit", "3", OpType.SET),
                op("errors.deadletterqueue.topic.name", "dlq.orders", OpType.SET))).isEqualTo("OK");
        broker.restart();
        admin = broker.admin();

        Config config = describe("never-joined");
        assertThat(config.get("share.delivery.count.limit").value()).isEqualTo("3");
        assertThat(config.get("errors.deadletterqueue.topic.name").value()).isEqualTo("dlq.orders");
        assertThat(config.get("errors.deadletterqueue.topic.name").source())
                .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
        assertThat(admin.listGroups().all().get(T, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void theOlderAlterConfigsReplacesAGroupsConfigsAsKafkaDoes() throws Exception {
        start(Map.of());
        alter("g", op("share.isolation.level", "read_committed", OpType.SET));
        AlterConfigsRequestData data = new AlterConfigsRequestData();
        data.resources().add(new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.GROUP.id()).setResourceName("g")
                .setConfigs(new AlterConfigsRequestData.AlterableConfigCollection(List.of(
                        new AlterConfigsRequestData.AlterableConfig().setName("share.auto.offset.reset")
                                .setValue("earliest")).iterator())));

        try (TestBroker.RawConnection raw = broker.raw()) {
            AlterConfigsResponse response = raw.roundTrip(new AlterConfigsRequest(data, (short) 2));
            // Kafka 4.3.1: errorCode 0, errorMessage null.
            assertThat(response.data().responses().get(0).errorCode()).isZero();
            assertThat(response.data().responses().get(0).errorMessage()).isNull();
        }
        Config config = describe("g");
        assertThat(config.get("share.auto.offset.reset").value()).isEqualTo("earliest");
        assertThat(config.get("share.isolation.level").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void requestErrorsAreKafkas() throws Exception {
        start(Map.of());
        // Kafka 4.3.1's answers.
        assertThat(alter("", op("share.auto.offset.reset", "earliest", OpType.SET)))
                .isEqualTo("InvalidRequestException: Default group resources are not allowed.");
        assertThat(alter("g", op("share.auto.offset.reset", "latest", OpType.APPEND))).isEqualTo(
                "InvalidConfigurationException: Can't APPEND to key share.auto.offset.reset because its type is not "
                        + "LIST.");
        assertThat(alter("g", op("share.isolation.level", null, OpType.SET)))
                .isEqualTo("InvalidRequestException: Null value not supported for : share.isolation.level");
        assertThat(alter("g", op("share.auto.offset.reset", "earliest", OpType.SET),
                op("share.auto.offset.reset", "latest", OpType.SET)))
                .isEqualTo("InvalidRequestException: Error due to duplicate config keys");
        assertThat(alter("g", op("nonexistent.config", null, OpType.DELETE))).isEqualTo("OK");
        assertThatThrownBy(() -> describe("")).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InvalidRequestException.class).hasMessage("Group name must not be empty");
    }
}
