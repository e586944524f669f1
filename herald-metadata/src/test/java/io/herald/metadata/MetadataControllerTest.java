package io.herald.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.controller.ControllerSettings;
import io.herald.metadata.controller.MetadataController;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import io.herald.metadata.record.MetadataRecord.ResourceKind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataControllerTest {
    @TempDir
    Path dir;

    private MetadataController open() throws IOException {
        return MetadataController.start(LocalMetadataQuorum.durable(1, dir), ControllerSettings.defaults(1),
                "cluster-a");
    }

    private Path file() {
        return dir.resolve(LocalMetadataQuorum.FILE_NAME);
    }

    @Test
    void replayAfterRestartRebuildsTheSameImage() throws IOException {
        ClusterImage before;
        try (MetadataController controller = open()) {
            controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty());
            controller.createTopic("orders", 3, 1, Map.of("retention.ms", "1000"), false);
            controller.createPartitions("orders", 5, false);
            controller.alterConfigs(ResourceKind.TOPIC, "orders",
                    Map.of("retention.ms", Optional.empty(), "segment.bytes", Optional.of("4096")));
            controller.alterConfigs(ResourceKind.BROKER, "", Map.of("log.retention.ms", Optional.of("5")));
            TopicImage gone = controller.createTopic("gone", 1, 1, Map.of(), false);
            controller.deleteTopic(gone.topicId());
            controller.reserveProducerIds(1, 1000);
            before = controller.image();
        }
        try (MetadataController controller = open()) {
            assertThat(controller.image()).isEqualTo(before);
            assertThat(controller.image().clusterId()).isEqualTo("cluster-a");
            TopicImage orders = controller.image().topic("orders").orElseThrow();
            assertThat(orders.partitionCount()).isEqualTo(5);
            assertThat(orders.configs()).containsExactly(Map.entry("segment.bytes", "4096"));
            assertThat(controller.image().topic("gone")).isEmpty();
            assertThat(controller.image().brokerConfigs()).containsEntry("log.retention.ms", "5");
            assertThat(controller.reserveProducerIds(1, 1000)).isEqualTo(1000);
        }
    }

    @Test
    void rejectsInvalidChangesWithKafkaErrors() throws IOException {
        try (MetadataController controller = open()) {
            controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty());
            controller.createTopic("t", 2, 1, Map.of(), false);
            assertThatThrownBy(() -> controller.createTopic("t", 1, 1, Map.of(), false))
                    .isInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> controller.createTopic("u", 0, 1, Map.of(), false))
                    .isInstanceOf(InvalidPartitionsException.class);
            assertThatThrownBy(() -> controller.createTopic("u", 1, 2, Map.of(), false))
                    .isInstanceOf(InvalidReplicationFactorException.class);
            assertThatThrownBy(() -> controller.createPartitions("t", 1, false))
                    .isInstanceOf(InvalidPartitionsException.class);
            controller.createTopic("v", 1, 1, Map.of(), true);
            assertThat(controller.image().topic("v")).isEmpty();
        }
    }

    @Test
    void groupConfigsNeedNoGroupAndSurviveReplay() throws IOException {
        try (MetadataController controller = open()) {
            controller.alterConfigs(ResourceKind.GROUP, "g", Map.of("share.auto.offset.reset", Optional.of("earliest"),
                    "share.delivery.count.limit", Optional.of("3")));
            controller.alterConfigs(ResourceKind.GROUP, "g", Map.of("share.delivery.count.limit", Optional.empty()));
            controller.alterConfigs(ResourceKind.GROUP, "h", Map.of("consumer.session.timeout.ms",
                    Optional.of("50000")));
            assertThatThrownBy(() -> controller.alterConfigs(ResourceKind.GROUP, "",
                    Map.of("share.auto.offset.reset", Optional.of("earliest"))))
                    .isInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .hasMessage("Default group resources are not allowed.");
        }
        try (MetadataController controller = open()) {
            assertThat(controller.image().groupConfigs()).isEqualTo(Map.of(
                    "g", Map.of("share.auto.offset.reset", "earliest"),
                    "h", Map.of("consumer.session.timeout.ms", "50000")));
        }
    }

    @Test
    void theFirstClusterIdInTheLogWins() throws IOException {
        try (MetadataController controller = open()) {
            assertThat(controller.awaitClusterId(java.time.Duration.ofSeconds(5))).isEqualTo("cluster-a");
        }
        try (MetadataController controller = MetadataController.start(LocalMetadataQuorum.durable(1, dir),
                ControllerSettings.defaults(1), "cluster-b")) {
            assertThat(controller.image().clusterId()).isEqualTo("cluster-a");
        }
    }

    @Test
    void tornLastBatchIsDroppedWhole() throws IOException {
        try (MetadataController controller = open()) {
            controller.registerBroker(1, "127.0.0.1", 9092, Optional.empty());
            controller.createTopic("kept", 1, 1, Map.of(), false);
        }
        long goodSize = Files.size(file());
        try (MetadataController controller = open()) {
            controller.createTopic("torn", 4, 1, Map.of(), false);
        }
        long fullSize = Files.size(file());
        List<Long> cuts = new ArrayList<>();
        for (long cut = goodSize + 1; cut < fullSize; cut += 7) {
            cuts.add(cut);
        }
        byte[] full = Files.readAllBytes(file());
        for (long cut : cuts) {
            Files.write(file(), java.util.Arrays.copyOf(full, (int) cut));
            try (MetadataController controller = open()) {
                assertThat(controller.image().topic("kept")).isPresent();
                assertThat(controller.image().topic("torn")).isEmpty();
            }
            assertThat(Files.size(file())).isEqualTo(goodSize);
        }
        // A flipped byte inside the last batch is caught by its CRC.
        byte[] corrupt = full.clone();
        corrupt[(int) fullSize - 3] ^= 0x40;
        Files.write(file(), corrupt);
        try (MetadataController controller = open()) {
            assertThat(controller.image().topic("torn")).isEmpty();
            assertThat(controller.image().topic("kept")).isPresent();
        }
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            assertThat(ch.size()).isEqualTo(goodSize);
        }
    }
}
