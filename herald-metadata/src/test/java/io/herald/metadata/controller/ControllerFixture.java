package io.herald.metadata.controller;

import io.herald.common.time.ManualTime;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.quorum.MetadataQuorum;
import io.herald.metadata.quorum.local.LocalMetadataQuorum;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A controller on an in-memory quorum of one, a manual clock and a manual scheduler. */
final class ControllerFixture implements AutoCloseable {
    static final ControllerSettings SETTINGS = new ControllerSettings(1, 2000, 9000, false, 300_000, 10_000);

    final ManualTime clock = new ManualTime();
    final ManualScheduler scheduler = new ManualScheduler();
    final MetadataController controller;

    ControllerFixture() throws IOException {
        this(SETTINGS);
    }

    ControllerFixture(ControllerSettings settings) throws IOException {
        this(settings, LocalMetadataQuorum.inMemory(settings.nodeId()));
    }

    ControllerFixture(ControllerSettings settings, MetadataQuorum quorum) throws IOException {
        controller = MetadataController.start(quorum, settings, "cluster-a", clock, scheduler);
    }

    /** Registers brokers (with this controller's incarnation, so {@link #heartbeat} works), no rack. */
    void register(int... brokerIds) {
        for (int id : brokerIds) {
            controller.registerBroker(id, "127.0.0.1", 9000 + id, Optional.empty());
        }
    }

    void registerInRack(int brokerId, String rack) {
        controller.registerBroker(brokerId, "127.0.0.1", 9000 + brokerId, Optional.of(rack));
    }

    void heartbeat(int... brokerIds) throws Exception {
        for (int id : brokerIds) {
            controller.sendHeartbeat(id).get(10, TimeUnit.SECONDS);
        }
        awaitIdle();
    }

    /** Runs the leader's liveness and rebalance check, then waits until what it appended is applied. */
    void pollLeader() throws Exception {
        controller.stateMachine().leaderDuties().poll();
        awaitIdle();
    }

    /** Waits until every command appended so far is applied (the quorum applies in order). */
    void awaitIdle() {
        controller.reserveProducerIds(0, 1);
    }

    PartitionImage partition(String topic, int partition) {
        return controller.image().topic(topic).orElseThrow().partition(partition).orElseThrow();
    }

    BrokerImage broker(int id) {
        return controller.image().brokers().get(id);
    }

    @Override
    public void close() throws IOException {
        controller.close();
    }
}
