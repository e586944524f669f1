package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versions a broker advertises are a reviewed table: a running broker's ApiVersions answer must equal
 * {@code src/test/resources/api-versions.txt}, so neither a handler's new declaration nor a kafka-clients
 * upgrade changes what clients are told without that file changing too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdvertisedApiVersionsTest {
    private static final String TABLE = "/api-versions.txt";

    @TempDir
    Path dir;

    /** One line of the table. */
    private record Row(String api, short key, short min, short max) {
        static Row parse(String line) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length != 4) {
                throw new IllegalArgumentException("malformed line in " + TABLE + " (expected: api key min max): "
                        + line);
            }
            return new Row(fields[0], Short.parseShort(fields[1]), Short.parseShort(fields[2]),
                    Short.parseShort(fields[3]));
        }

        static Row of(ApiVersionsResponseData.ApiVersion v) {
            String name = ApiKeys.hasId(v.apiKey()) ? ApiKeys.forId(v.apiKey()).name() : "UNKNOWN_" + v.apiKey();
            return new Row(name, v.apiKey(), v.minVersion(), v.maxVersion());
        }

        String line() {
            return String.format("%-32s %3d %4d %4d", api, key, min, max);
        }
    }

    @Test
    void advertisedVersionsAreTheReviewedTable() throws Exception {
        Map<Short, Row> expected = table();
        Map<Short, Row> advertised = new TreeMap<>();
        try (TestBroker broker = TestBroker.start(dir); TestBroker.RawConnection c = broker.raw()) {
            // Asked at the newest version the table says is served, as a Java client would after negotiating.
            short newest = Objects.requireNonNull(expected.get(ApiKeys.API_VERSIONS.id), TABLE + " has no API_VERSIONS")
                    .max();
            ApiVersionsResponseData answer = c.<ApiVersionsResponse>roundTrip(
                    new ApiVersionsRequest.Builder().build(newest)).data();
            assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
            answer.apiKeys().forEach(v -> advertised.put(v.apiKey(), Row.of(v)));
        }

        String diff = diff(expected, advertised);
        if (!diff.isEmpty()) {
            fail("""
                    The broker's ApiVersions answer differs from src/test/resources%s (- table, + broker):
                    %s
                    If the change is intended, review it and replace the table's rows with the broker's answer:
                    %s""", TABLE, diff, String.join("\n", advertised.values().stream().map(Row::line).toList()));
        }
    }

    /**
     * The finalized feature levels are Kafka 4.3.1's on a new cluster for the features Herald implements: clients
     * pick the transaction protocol (KIP-890 part 2 at transaction.version 2) by them, and Kafka's tools and
     * KafkaShareConsumer see share groups on (share.version 1); metadata.version is 4.3-IV0 (30), the only level
     * Herald supports. kraft.version, streams.version and eligible.leader.replicas.version are supported at 0
     * only, so never finalized (see BrokerFeatures).
     */
    @Test
    void featuresAreThoseOfANewKafkaCluster() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            FeatureMetadata features = broker.admin().describeFeatures().featureMetadata().get(20, TimeUnit.SECONDS);
            assertThat(features.finalizedFeatures()).containsOnlyKeys("metadata.version", "transaction.version",
                    "group.version", "share.version");
            assertThat(features.finalizedFeatures().get("metadata.version").maxVersionLevel()).isEqualTo((short) 30);
            assertThat(features.finalizedFeatures().get("transaction.version").maxVersionLevel()).isEqualTo((short) 2);
            assertThat(features.finalizedFeatures().get("group.version").maxVersionLevel()).isEqualTo((short) 1);
            assertThat(features.finalizedFeatures().get("share.version").maxVersionLevel()).isEqualTo((short) 1);
            assertThat(features.supportedFeatures().get("share.version").maxVersion()).isEqualTo((short) 1);
            assertThat(features.supportedFeatures().get("transaction.version").minVersion()).isEqualTo((short) 0);
            assertThat(features.supportedFeatures().get("transaction.version").maxVersion()).isEqualTo((short) 2);
            assertThat(features.supportedFeatures().get("metadata.version").minVersion()).isEqualTo((short) 30);
            assertThat(features.supportedFeatures().get("metadata.version").maxVersion()).isEqualTo((short) 30);
            for (String unimplemented : List.of("kraft.version", "streams.version",
                    "eligible.leader.replicas.version")) {
                assertThat(features.supportedFeatures().get(unimplemented).maxVersion()).as(unimplemented).isZero();
            }
            assertThat(features.finalizedFeaturesEpoch()).hasValueSatisfying(e -> assertThat(e).isPositive());
        }
    }

    @Test
    void javaClientsStillConnectAndServe() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Admin admin = broker.admin();
            assertThat(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS)).hasSize(1);
            // Admin creates the topic; a producer writes and a consumer reads it back.
            broker.assertHealthy();
        }
    }

    /** The table, by API key; comment and blank lines skipped. */
    private static Map<Short, Row> table() throws IOException {
        Map<Short, Row> rows = new TreeMap<>();
        try (InputStream in = Objects.requireNonNull(AdvertisedApiVersionsTest.class.getResourceAsStream(TABLE),
                TABLE + " is missing from the test resources");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Row row = Row.parse(line);
                if (rows.put(row.key(), row) != null) {
                    throw new IllegalArgumentException(TABLE + " lists api key " + row.key() + " twice");
                }
            }
        }
        return rows;
    }

    /** One line per difference, in api key order: "- row" only in the table, "+ row" only in the answer. */
    private static String diff(Map<Short, Row> expected, Map<Short, Row> actual) {
        List<String> lines = new ArrayList<>();
        TreeSet<Short> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (short key : keys) {
            Row want = expected.get(key);
            Row got = actual.get(key);
            if (Objects.equals(want, got)) {
                continue;
            }
            if (want != null) {
                lines.add("- " + want.line());
            }
            if (got != null) {
                lines.add("+ " + got.line());
            }
        }
        return String.join("\n", lines);
    }
}
