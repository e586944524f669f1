package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.QuorumDescription;
import io.herald.metadata.quorum.QuorumStateMachine;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * The leader tells the quorum when a broker is back from an outage (a fenced broker heartbeats again, a broker
 * registers with a new incarnation), so the quorum can drop a backed-off connection to that member.
 */
class ReconnectHintTest {

    @Test
    void fencedBrokerHeartbeatingAgainIsReportedReachableOnce() throws Exception {
        RecordingQuorum quorum = new RecordingQuorum();
        try (ControllerFixture f = new ControllerFixture(ControllerFixture.SETTINGS, quorum)) {
            f.register(1, 2);
            assertThat(quorum.reconnects).as("first registrations are no outage").isEmpty();
            f.clock.advance(9000);
            f.heartbeat(2);
            f.pollLeader();
            assertThat(f.broker(1).fenced()).isTrue();
            assertThat(quorum.reconnects).isEmpty();

            f.heartbeat(1);
            assertThat(f.broker(1).fenced()).isFalse();
            f.heartbeat(1, 2);
            assertThat(quorum.reconnects).as("one hint for the unfence, none for unfenced heartbeats")
                    .containsExactly(1);
        }
    }

    @Test
    void brokerRegisteringAgainIsReportedReachable() throws Exception {
        RecordingQuorum quorum = new RecordingQuorum();
        try (ControllerFixture f = new ControllerFixture(ControllerFixture.SETTINGS, quorum)) {
            f.register(1, 2);
            f.controller.registerBroker(2, "127.0.0.1", 9002, Optional.empty(), Uuid.randomUuid());
            f.awaitIdle();
            assertThat(quorum.reconnects).containsExactly(2);
        }
    }

    /** A quorum of one in memory that records the reconnect hints. */
    private static final class RecordingQuorum implements MetadataQuorum {
        private final MetadataQuorum delegate = LocalMetadataQuorum.inMemory(ControllerFixture.SETTINGS.nodeId());
        final List<Integer> reconnects = new CopyOnWriteArrayList<>();

        @Override
        public void start(QuorumStateMachine machine) throws IOException {
            delegate.start(machine);
        }

        @Override
        public CompletableFuture<byte[]> append(byte[] entry) {
            return delegate.append(entry);
        }

        @Override
        public CompletableFuture<byte[]> askLeader(byte[] request) {
            return delegate.askLeader(request);
        }

        @Override
        public CompletableFuture<QuorumDescription> describe() {
            return delegate.describe();
        }

        @Override
        public OptionalInt leaderId() {
            return delegate.leaderId();
        }

        @Override
        public int nodeId() {
            return delegate.nodeId();
        }

        @Override
        public void reconnect(int nodeId) {
            reconnects.add(nodeId);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
