package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.common.codec.GoldenFixtures;
import io.herald.common.codec.RecordType;
import io.herald.metadata.controller.ControllerCommand.CreateTopic;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommandSerde.UnsupportedVersionException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ControllerCommandSerdeTest {

    @Test
    void anEntryOfANewerVersionOrAnUnknownTypeIsRefused() {
        byte[] entry = ControllerCommandSerde.encode(new FenceBroker(1, 2));

        entry[0] = 3;
        assertThatThrownBy(() -> ControllerCommandSerde.decode(entry)).isInstanceOf(UnsupportedVersionException.class)
                .hasMessage("controller command version 3 at offset 0 (supported: 1..2)");
        entry[0] = 2;
        entry[1] = 99;
        assertThatThrownBy(() -> ControllerCommandSerde.decode(entry)).isInstanceOf(UnsupportedVersionException.class)
                .hasMessageContaining("at offset 1: unknown record type 99");
    }

    @Test
    void undecodableBytesAreRefusedLikeAnUnknownVersion() {
        byte[] entry = ControllerCommandSerde.encode(new CreateTopic("t", 1, 1, new TreeMap<>(),
                new TreeMap<>(Map.of("k", "v"))));

        for (int cut = 0; cut < entry.length; cut++) {
            byte[] truncated = Arrays.copyOf(entry, cut);
            assertThatThrownBy(() -> ControllerCommandSerde.decode(truncated))
                    .isInstanceOf(UnsupportedVersionException.class);
        }
        assertThatThrownBy(() -> ControllerReply.decode(new byte[] {1, 0}))
                .isInstanceOf(UnsupportedVersionException.class).hasMessageContaining("controller reply");
        assertThatThrownBy(() -> ControllerSnapshot.read(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1}))
                .isInstanceOf(UnsupportedVersionException.class).hasMessageContaining("list count -1");
    }

    @Test
    void everyTypeHasGoldenFixturesOfEveryVersionItExistsIn() {
        GoldenFixtures commands = GoldenFixtures.of("controller-command");
        for (RecordType type : ControllerCommandSerde.COMMANDS.types()) {
            assertThat(commands.names()).contains(type.name() + "-v" + ControllerCommandSerde.VERSION);
            // term-fenced came with version 2, update-features, report-offline-replicas,
            // alter-scram-credentials, register-endpoints, create-acls, delete-acls and alter-client-quotas later
            // within it
            if (!java.util.Set.of("term-fenced", "update-features", "report-offline-replicas",
                    "alter-scram-credentials", "register-endpoints", "create-acls", "delete-acls",
                    "alter-client-quotas")
                    .contains(type.name())) {
                assertThat(commands.names()).contains(type.name() + "-v1");
            }
        }
        GoldenFixtures requests = GoldenFixtures.of("leader-request");
        for (RecordType type : ControllerCommandSerde.REQUESTS.types()) {
            assertThat(requests.names()).contains(type.name() + "-v1", type.name() + "-v2");
        }
    }
}
