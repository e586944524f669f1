package io.herald.metadata.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.OfflineReplicasRecord;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** Client listener endpoints folded into the image, and the address a client of each listener is given. */
class ClusterImageEndpointsTest {
    private static final Uuid FIRST = new Uuid(1, 1);
    private static final Uuid SECOND = new Uuid(1, 2);
    private static final Endpoint INTERNAL = new Endpoint("INTERNAL", "b1.internal", 9092, SecurityProtocol.PLAINTEXT);
    private static final Endpoint EXTERNAL = new Endpoint("EXTERNAL", "b1.example", 19093, SecurityProtocol.SASL_SSL);

    private static BrokerRecord registered(Uuid incarnation, int port, boolean fenced) {
        return new BrokerRecord(1, "b1.internal", port, Optional.of("r1"), incarnation, 5, fenced);
    }

    private static BrokerImage broker(ClusterImage image) {
        return image.brokers().get(1);
    }

    @Test
    void endpointsReplaceThePreviousSetInTheirOrder() {
        ClusterImage image = ClusterImage.EMPTY.apply(registered(FIRST, 9092, false))
                .apply(new BrokerEndpointsRecord(1, List.of(INTERNAL)))
                .apply(new BrokerEndpointsRecord(1, List.of(EXTERNAL, INTERNAL)));

        assertThat(broker(image).endpoints()).containsExactly(EXTERNAL, INTERNAL);
        assertThat(broker(image).endpoint("EXTERNAL")).contains(EXTERNAL);
        assertThat(broker(image).endpoint("OTHER")).isEmpty();
        assertThat(broker(image).endpoint("EXTERNAL").orElseThrow().protocol()).contains(SecurityProtocol.SASL_SSL);
        assertThat(broker(image).host()).as("the registered address stays the inter-broker one")
                .isEqualTo("b1.internal");
    }

    @Test
    void aLaterRegistrationKeepsTheEndpointsAndARestartForgetsOnlyTheOfflineReplicas() {
        ReplicaKey replica = new ReplicaKey(new Uuid(9, 9), 0);
        ClusterImage image = ClusterImage.EMPTY.apply(registered(FIRST, 9092, false))
                .apply(new BrokerEndpointsRecord(1, List.of(INTERNAL, EXTERNAL)))
                .apply(new OfflineReplicasRecord(1, FIRST, List.of(replica)));

        ClusterImage fenced = image.apply(registered(FIRST, 9092, true));
        assertThat(broker(fenced).endpoints()).containsExactly(INTERNAL, EXTERNAL);
        assertThat(broker(fenced).offlineReplicas()).containsExactly(replica);

        ClusterImage restarted = fenced.apply(registered(SECOND, 9094, false));
        assertThat(broker(restarted).endpoints()).containsExactly(INTERNAL, EXTERNAL);
        assertThat(broker(restarted).offlineReplicas()).isEmpty();
        assertThat(broker(restarted).port()).isEqualTo(9094);
    }

    @Test
    void endpointsOfAnUnregisteredBrokerChangeNothingButTheOffset() {
        ClusterImage image = ClusterImage.EMPTY.apply(new BrokerEndpointsRecord(7, List.of(INTERNAL)));

        assertThat(image.brokers()).isEmpty();
        assertThat(image.offset()).isEqualTo(1);
    }

    @Test
    void aClientIsGivenTheEndpointOfItsListener() {
        BrokerImage broker = broker(ClusterImage.EMPTY.apply(registered(FIRST, 9092, false))
                .apply(new BrokerEndpointsRecord(1, List.of(INTERNAL, EXTERNAL))));

        assertThat(broker.node("EXTERNAL")).contains(new Node(1, "b1.example", 19093, "r1"));
        assertThat(broker.node("INTERNAL")).contains(new Node(1, "b1.internal", 9092, "r1"));
    }

    @Test
    void aBrokerWithEndpointsButNoneForTheListenerIsNotGiven() {
        BrokerImage broker = broker(ClusterImage.EMPTY.apply(registered(FIRST, 9092, false))
                .apply(new BrokerEndpointsRecord(1, List.of(INTERNAL))));

        assertThat(broker.node("EXTERNAL")).isEmpty();
    }

    @Test
    void aBrokerWithoutEndpointsIsGivenAtItsRegisteredAddressOnEveryListener() {
        BrokerImage broker = broker(ClusterImage.EMPTY.apply(registered(FIRST, 9092, true)));

        assertThat(broker.node("EXTERNAL")).contains(new Node(1, "b1.internal", 9092, "r1", true));
        assertThat(broker.node("PLAINTEXT")).contains(new Node(1, "b1.internal", 9092, "r1", true));
    }
}
