package io.herald.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.metadata.controller.ControllerCommand.RegisterEndpoints;
import io.herald.metadata.controller.ControllerLogic.Decision;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** A broker registers the endpoints of its client listeners once they are bound. */
class BrokerEndpointsTest {
    private static final Endpoint INTERNAL = new Endpoint("INTERNAL", "127.0.0.1", 9001, SecurityProtocol.PLAINTEXT);
    private static final Endpoint EXTERNAL = new Endpoint("EXTERNAL", "b1.example", 19093, SecurityProtocol.SASL_SSL);

    @Test
    void registeredEndpointsReachTheImageInTheirOrder() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            f.controller.registerEndpoints(1, List.of(INTERNAL, EXTERNAL));

            assertThat(f.broker(1).endpoints()).containsExactly(INTERNAL, EXTERNAL);
            assertThat(f.broker(1).port()).as("the registered address is unchanged").isEqualTo(9001);
        }
    }

    @Test
    void theSameEndpointsAgainWriteNoRecord() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            f.controller.registerEndpoints(1, List.of(INTERNAL, EXTERNAL));
            ClusterImage image = f.controller.image();
            Uuid incarnation = f.broker(1).incarnationId();

            Decision same = ControllerLogic.decide(image, new RegisterEndpoints(1, incarnation,
                    List.of(INTERNAL, EXTERNAL)), image.offset() + 1, 1);
            assertThat(same.records()).isEmpty();

            Decision reordered = ControllerLogic.decide(image, new RegisterEndpoints(1, incarnation,
                    List.of(EXTERNAL, INTERNAL)), image.offset() + 1, 1);
            assertThat(reordered.records()).containsExactly(new BrokerEndpointsRecord(1, List.of(EXTERNAL,
                    INTERNAL)));
        }
    }

    @Test
    void aRestartKeepsTheEndpointsUntilItSendsNewOnes() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            f.controller.registerEndpoints(1, List.of(INTERNAL, EXTERNAL));
            Uuid restarted = Uuid.randomUuid();
            f.controller.registerBroker(1, "127.0.0.1", 9001, Optional.empty(), restarted);
            assertThat(f.broker(1).endpoints()).containsExactly(INTERNAL, EXTERNAL);

            Endpoint moved = new Endpoint("EXTERNAL", "b1.example", 29093, SecurityProtocol.SASL_SSL);
            Decision decision = ControllerLogic.decide(f.controller.image(),
                    new RegisterEndpoints(1, restarted, List.of(INTERNAL, moved)), f.controller.image().offset(), 1);
            assertThat(decision.records()).containsExactly(new BrokerEndpointsRecord(1, List.of(INTERNAL, moved)));
        }
    }

    @Test
    void anUnregisteredBrokerOrAnotherIncarnationIsRefused() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            assertThatThrownBy(() -> f.controller.registerEndpoints(1, List.of(INTERNAL)))
                    .isInstanceOf(BrokerIdNotRegisteredException.class);

            // Registered by another process (incarnation) than this controller's.
            f.controller.registerBroker(1, "127.0.0.1", 9001, Optional.empty(), Uuid.randomUuid());
            assertThatThrownBy(() -> f.controller.registerEndpoints(1, List.of(INTERNAL)))
                    .isInstanceOf(StaleBrokerEpochException.class);
            assertThat(f.broker(1).endpoints()).isEmpty();
        }
    }

    @Test
    void anInvalidSetOfEndpointsIsRefusedWithTheReason() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1);
            assertThatThrownBy(() -> f.controller.registerEndpoints(1, List.of(INTERNAL,
                    new Endpoint("INTERNAL", "other", 9002, SecurityProtocol.PLAINTEXT))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'INTERNAL'");
            assertThatThrownBy(() -> f.controller.registerEndpoints(1, List.of(
                    new Endpoint("", "h", 9002, SecurityProtocol.PLAINTEXT))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("empty");
            assertThatThrownBy(() -> f.controller.registerEndpoints(1, List.of(
                    new Endpoint("EXTERNAL", "h", 0, SecurityProtocol.PLAINTEXT))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("port 0");
            assertThatThrownBy(() -> f.controller.registerEndpoints(1, List.of(
                    new Endpoint("EXTERNAL", "h", 9093, (short) 42))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("security protocol 42");
            assertThat(f.broker(1).endpoints()).isEmpty();
        }
    }

    @Test
    void aSnapshotKeepsTheEndpoints() throws Exception {
        try (ControllerFixture f = new ControllerFixture()) {
            f.register(1, 2);
            f.controller.registerEndpoints(1, List.of(INTERNAL, EXTERNAL));
            ClusterImage restored = ControllerSnapshot.read(ControllerSnapshot.write(f.controller.image()));

            assertThat(restored.brokers().get(1).endpoints()).containsExactly(INTERNAL, EXTERNAL);
            assertThat(restored.brokers().get(2).endpoints()).isEmpty();
            assertThat(restored).isEqualTo(f.controller.image());
        }
    }
}
