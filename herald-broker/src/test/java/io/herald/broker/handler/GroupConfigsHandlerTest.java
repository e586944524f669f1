package io.herald.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.broker.StaticBrokerConfigs;
import io.herald.broker.security.Authorization;
import io.herald.metadata.controller.ControllerSettings;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.Response;
import io.herald.protocol.ServedApi;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.ListConfigResourcesRequest;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GROUP config resource through {@link ConfigsHandler} against a real controller on an in-memory quorum: set,
 * delete, describe and Kafka's errors. The expected answers are what Kafka 4.3.1 gave to the same requests
 * (a single-node KRaft broker with default configs).
 */
class GroupConfigsHandlerTest {
    private static final byte GROUP = 32;
    private static final byte TOPIC = 2;

    private MetadataController controller;

    /** server.properties as given; a few group.share.* set, so that STATIC_BROKER_CONFIG synonyms show. */
    private static final Map<String, String> STATIC = Map.of("group.share.record.lock.duration.ms", "20000",
            "group.streams.session.timeout.ms", "50000");

    private ConfigsHandler handler;

    @BeforeEach
    void start() throws java.io.IOException {
        controller = MetadataController.start(LocalMetadataQuorum.inMemory(1), ControllerSettings.defaults(1), "c");
        StaticBrokerConfigs configs = new StaticBrokerConfigs() {
            @Override
            public Map<String, String> originals() {
                return STATIC;
            }

            @Override
            public Map<String, String> effectiveValues() {
                return STATIC;
            }
        };
        handler = new ConfigsHandler(controller, controller, configs, 1, Runnable::run, Map::of,
                Authorization.ALLOW_ALL);
    }

    @AfterEach
    void stop() throws Exception {
        controller.close();
    }

    private static ApiMessage call(ServedApi api, AbstractRequest body) {
        KafkaRequest request = new KafkaRequest(new RequestHeader(api.key(), body.version(), "test", 1), body, 0,
                new InetSocketAddress("127.0.0.1", 1), 0);
        return ((Response.Send) api.handler().handle(request).join()).data();
    }

    private static AlterableConfig op(String name, String value, OpType type) {
        return new AlterableConfig().setName(name).setValue(value).setConfigOperation(type.id());
    }

    private IncrementalAlterConfigsResponseData alter(boolean validateOnly, AlterConfigsResource... resources) {
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData().setValidateOnly(validateOnly);
        for (AlterConfigsResource r : resources) {
            data.resources().add(r.duplicate());
        }
        return (IncrementalAlterConfigsResponseData) call(handler.incrementalAlterConfigs(),
                new IncrementalAlterConfigsRequest.Builder(data).build((short) 1));
    }

    private static AlterConfigsResource group(String name, AlterableConfig... ops) {
        AlterConfigsResource r = new AlterConfigsResource().setResourceType(GROUP).setResourceName(name);
        for (AlterableConfig op : ops) {
            r.configs().add(op);
        }
        return r;
    }

    /** The one resource's error, "NONE" when it succeeded, with the message. */
    private String alterGroup(String name, AlterableConfig... ops) {
        AlterConfigsResourceResponse r = alter(false, group(name, ops)).responses().get(0);
        return Errors.forCode(r.errorCode()) + (r.errorMessage() == null ? "" : ": " + r.errorMessage());
    }

    private DescribeConfigsResponseData.DescribeConfigsResult describe(String group, boolean synonyms) {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData().setIncludeSynonyms(synonyms);
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(GROUP)
                .setResourceName(group).setConfigurationKeys(null));
        return ((DescribeConfigsResponseData) call(handler.describeConfigs(),
                new DescribeConfigsRequest.Builder(data).build((short) 4))).results().get(0);
    }

    private DescribeConfigsResourceResult entry(String group, String name) {
        return describe(group, true).configs().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    @Test
    void aGroupThatDoesNotExistCanBeConfiguredAndDescribed() {
        assertThat(alterGroup("g", op("share.auto.offset.reset", "earliest", OpType.SET))).isEqualTo("NONE");

        assertThat(controller.image().groupConfigs("g")).containsExactly(Map.entry("share.auto.offset.reset",
                "earliest"));
        DescribeConfigsResourceResult e = entry("g", "share.auto.offset.reset");
        assertThat(e.value()).isEqualTo("earliest");
        assertThat(e.configSource()).isEqualTo(ConfigSource.GROUP_CONFIG.id());
        assertThat(e.configType()).isEqualTo((byte) 2); // STRING
        assertThat(e.readOnly()).isFalse();
        assertThat(e.synonyms()).containsExactly(synonym("share.auto.offset.reset", "earliest",
                ConfigSource.GROUP_CONFIG), synonym("share.auto.offset.reset", "latest", ConfigSource.DEFAULT_CONFIG));
    }

    @Test
    void describeListsEveryGroupConfigWithItsDefaultAndBrokerSynonym() {
        DescribeConfigsResponseData.DescribeConfigsResult result = describe("unconfigured", true);

        assertThat(result.errorCode()).isZero();
        assertThat(result.configs()).hasSize(22); // Kafka 4.3.1's 17 and Herald's 5
        DescribeConfigsResourceResult session = entry("unconfigured", "consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("45000");
        assertThat(session.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(session.synonyms()).containsExactly(synonym("group.consumer.session.timeout.ms", "45000",
                ConfigSource.DEFAULT_CONFIG));
        DescribeConfigsResourceResult dlq = entry("unconfigured", "errors.deadletterqueue.topic.name");
        assertThat(dlq.value()).isNull();
        assertThat(dlq.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(dlq.synonyms()).isEmpty();
        assertThat(describe("unconfigured", false).configs()).allSatisfy(c -> assertThat(c.synonyms()).isEmpty());
    }

    @Test
    void aStaticBrokerConfigIsTheSourceOfAnUnsetGroupConfig() {
        DescribeConfigsResourceResult lock = entry("g", "share.record.lock.duration.ms");

        assertThat(lock.value()).isEqualTo("20000");
        assertThat(lock.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(lock.synonyms()).containsExactly(
                synonym("group.share.record.lock.duration.ms", "20000", ConfigSource.STATIC_BROKER_CONFIG),
                synonym("group.share.record.lock.duration.ms", "30000", ConfigSource.DEFAULT_CONFIG));
        // Herald reads no group.streams.* broker config: the one given is ignored, Kafka's default stands.
        DescribeConfigsResourceResult streams = entry("g", "streams.session.timeout.ms");
        assertThat(streams.value()).isEqualTo("45000");
        assertThat(streams.synonyms()).containsExactly(synonym("group.streams.session.timeout.ms", "45000",
                ConfigSource.DEFAULT_CONFIG));

        assertThat(alterGroup("g", op("share.record.lock.duration.ms", "40000", OpType.SET))).isEqualTo("NONE");
        assertThat(entry("g", "share.record.lock.duration.ms").synonyms()).containsExactly(
                synonym("share.record.lock.duration.ms", "40000", ConfigSource.GROUP_CONFIG),
                synonym("group.share.record.lock.duration.ms", "20000", ConfigSource.STATIC_BROKER_CONFIG),
                synonym("group.share.record.lock.duration.ms", "30000", ConfigSource.DEFAULT_CONFIG));
    }

    @Test
    void deleteRestoresTheDefaultAndAGroupWithoutConfigsLeavesTheImage() {
        alterGroup("g", op("share.delivery.count.limit", "3", OpType.SET), op("share.isolation.level",
                "read_committed", OpType.SET));

        assertThat(alterGroup("g", op("share.delivery.count.limit", null, OpType.DELETE))).isEqualTo("NONE");
        assertThat(entry("g", "share.delivery.count.limit").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(alterGroup("g", op("share.isolation.level", null, OpType.DELETE),
                op("no.such.config", null, OpType.DELETE))).isEqualTo("NONE");
        assertThat(controller.image().groupConfigs()).isEmpty();
    }

    @Test
    void invalidValuesGetKafkasInvalidConfigMessages() {
        assertThat(alterGroup("g", op("share.record.lock.duration.ms", "10000", OpType.SET))).isEqualTo(
                "INVALID_CONFIG: share.record.lock.duration.ms must be greater than or equal to "
                        + "group.share.min.record.lock.duration.ms");
        assertThat(alterGroup("g", op("share.record.lock.duration.ms", "500", OpType.SET))).isEqualTo(
                "INVALID_CONFIG: Invalid value 500 for configuration share.record.lock.duration.ms: Value must be at "
                        + "least 1000");
        assertThat(alterGroup("g", op("share.delivery.count.limit", "11", OpType.SET))).isEqualTo(
                "INVALID_CONFIG: share.delivery.count.limit must be less than or equal to "
                        + "group.share.max.delivery.count.limit");
        assertThat(alterGroup("g", op("share.auto.offset.reset", "EARLIEST", OpType.SET))).isEqualTo(
                "INVALID_CONFIG: Invalid value EARLIEST for configuration share.auto.offset.reset: Invalid value "
                        + "`EARLIEST` for configuration share.auto.offset.reset. The value must be either 'earliest', "
                        + "'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.");
        assertThat(alterGroup("g", op("foo.bar", "1", OpType.SET)))
                .isEqualTo("INVALID_CONFIG: Unknown group config name: foo.bar");
        assertThat(alterGroup("g", op("consumer.assignor.offload.enable", "true", OpType.SET)))
                .isEqualTo("INVALID_CONFIG: Unknown group config name: consumer.assignor.offload.enable");
        assertThat(alterGroup("g", op("errors.deadletterqueue.topic.name", "orders", OpType.SET))).startsWith(
                "INVALID_CONFIG: Invalid value orders for configuration errors.deadletterqueue.topic.name");
        assertThat(controller.image().groupConfigs()).isEmpty();
    }

    @Test
    void appendAndSubtractAreRefusedAsKafkaDoes() {
        assertThat(alterGroup("g", op("share.auto.offset.reset", "latest", OpType.APPEND))).isEqualTo(
                "INVALID_CONFIG: Can't APPEND to key share.auto.offset.reset because its type is not LIST.");
        assertThat(alterGroup("g", op("share.auto.offset.reset", "latest", OpType.SUBTRACT))).isEqualTo(
                "INVALID_CONFIG: Can't SUBTRACT to key share.auto.offset.reset because its type is not LIST.");
    }

    @Test
    void requestErrorsAreKafkas() {
        assertThat(alterGroup("g", op("share.isolation.level", null, OpType.SET))).isEqualTo(
                "INVALID_REQUEST: Null value not supported for : share.isolation.level");
        assertThat(alterGroup("g", op("share.auto.offset.reset", "earliest", OpType.SET),
                op("share.auto.offset.reset", "latest", OpType.SET)))
                .isEqualTo("INVALID_REQUEST: Error due to duplicate config keys");
        assertThat(alterGroup("", op("share.auto.offset.reset", "earliest", OpType.SET)))
                .isEqualTo("INVALID_REQUEST: Default group resources are not allowed.");
        assertThat(describe("", false).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(describe("", false).errorMessage()).isEqualTo("Group name must not be empty");

        IncrementalAlterConfigsResponseData twice = alter(false,
                group("g", op("share.auto.offset.reset", "earliest", OpType.SET)),
                group("g", op("share.isolation.level", "read_committed", OpType.SET)),
                group("h", op("share.auto.offset.reset", "earliest", OpType.SET)));
        assertThat(twice.responses()).extracting(AlterConfigsResourceResponse::errorCode).containsExactly(
                Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code(), Errors.NONE.code());
        assertThat(twice.responses().get(0).errorMessage()).isEqualTo("Each resource must appear at most once.");
        assertThat(controller.image().groupConfigs()).containsOnlyKeys("h");
    }

    @Test
    void aChangeIsAtomicAndValidateOnlyChangesNothing() {
        assertThat(alterGroup("g", op("share.isolation.level", "read_committed", OpType.SET),
                op("share.delivery.count.limit", "1", OpType.SET))).startsWith("INVALID_CONFIG: Invalid value 1");
        assertThat(alter(true, group("g", op("share.isolation.level", "read_committed", OpType.SET)))
                .responses().get(0).errorCode()).isZero();

        assertThat(controller.image().groupConfigs()).isEmpty();
    }

    @Test
    void theOlderAlterConfigsReplacesAGroupsConfigs() {
        alterGroup("g", op("share.isolation.level", "read_committed", OpType.SET));
        AlterConfigsRequestData data = new AlterConfigsRequestData();
        data.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(GROUP)
                .setResourceName("g").setConfigs(new AlterConfigsRequestData.AlterableConfigCollection(List.of(
                        new AlterConfigsRequestData.AlterableConfig().setName("share.auto.offset.reset")
                                .setValue("earliest")).iterator())));
        AlterConfigsResponseData response = (AlterConfigsResponseData) call(handler.alterConfigs(),
                new AlterConfigsRequest(data, (short) 2));

        assertThat(response.responses().get(0).errorCode()).isZero();
        assertThat(controller.image().groupConfigs("g")).containsExactly(Map.entry("share.auto.offset.reset",
                "earliest"));
    }

    private ListConfigResourcesResponseData list(short version, Byte... types) {
        return (ListConfigResourcesResponseData) call(handler.listConfigResources(), new ListConfigResourcesRequest
                .Builder(new ListConfigResourcesRequestData().setResourceTypes(List.of(types))).build(version));
    }

    @Test
    void listConfigResourcesNamesTheGroupsWithConfigsAsKafkaDoes() {
        controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty());
        controller.createTopic("t", 1, 1, Map.of(), false);
        alterGroup("b", op("share.auto.offset.reset", "earliest", OpType.SET));
        alterGroup("a", op("share.delivery.count.limit", "3", OpType.SET));
        alterGroup("gone", op("share.delivery.count.limit", "3", OpType.SET));
        alterGroup("gone", op("share.delivery.count.limit", null, OpType.DELETE));

        assertThat(list((short) 1, GROUP).configResources()).extracting(
                ListConfigResourcesResponseData.ConfigResource::resourceName).containsExactly("a", "b");
        assertThat(list((short) 1).configResources()).extracting(r -> r.resourceType() + ":" + r.resourceName())
                .containsExactlyInAnyOrder("32:a", "32:b", "2:t", "4:1", "8:1");
        assertThat(list((short) 0, (byte) 16).configResources()).isEmpty();
        assertThat(list((short) 1, (byte) 99).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
    }

    @Test
    void topicsGetKafkasMessagesForTheSameRequestErrors() {
        controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty());
        controller.createTopic("t", 1, 1, Map.of(), false);
        AlterConfigsResource topic = new AlterConfigsResource().setResourceType(TOPIC).setResourceName("t");
        topic.configs().add(op("retention.ms", "1000", OpType.APPEND));

        AlterConfigsResourceResponse r = alter(false, topic).responses().get(0);
        assertThat(r.errorMessage()).isEqualTo("Can't APPEND to key retention.ms because its type is not LIST.");
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.INVALID_CONFIG);
    }
}
