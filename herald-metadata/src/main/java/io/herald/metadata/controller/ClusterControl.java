package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.ReportOfflineReplicas;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.record.MetadataRecord.OfflineReplicasRecord;
import java.util.Set;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;

/**
 * Decisions about the cluster id and broker membership: registration (a new incarnation is a restart),
 * fencing, unfencing and controlled shutdown, with the leadership and ISR sweeps they cause
 * ({@link PartitionControl}). Stateless.
 */
final class ClusterControl {
    private ClusterControl() {
    }

    /**
     * The first proposal wins, and finalizes the bootstrap feature levels of the new cluster at this entry's
     * index; payload: the cluster id in force afterwards.
     */
    static byte[] initCluster(RecordBuffer buffer, InitCluster c, long index) {
        if (buffer.image().clusterId().isEmpty()) {
            if (c.clusterId().isEmpty()) {
                throw new InvalidRequestException("The proposed cluster id is empty.");
            }
            buffer.add(new ClusterIdRecord(c.clusterId()));
            FeatureControl.bootstrap(buffer, index);
        }
        return ControllerReply.encodeString(buffer.image().clusterId());
    }

    /**
     * Registers a broker; payload: its broker epoch. The same incarnation only updates the address. A new
     * incarnation means the process restarted and lost its in-memory replica state, so it first leaves every
     * ISR where others remain and loses its leaderships (as if fenced), then comes back unfenced and takes
     * leaderless partitions whose ISR it is in.
     */
    static byte[] registerBroker(RecordBuffer buffer, RegisterBroker c, long index) {
        BrokerImage existing = buffer.image().brokers().get(c.brokerId());
        if (existing != null && existing.incarnationId().equals(c.incarnationId())) {
            if (!existing.host().equals(c.host()) || existing.port() != c.port() || !existing.rack().equals(c.rack())) {
                buffer.add(new BrokerRecord(c.brokerId(), c.host(), c.port(), c.rack(), c.incarnationId(),
                        existing.brokerEpoch(), existing.fenced()));
            }
            return ControllerReply.encodeLong(existing.brokerEpoch());
        }
        if (existing != null) {
            PartitionControl.removeBrokerEverywhere(buffer, c.brokerId());
        }
        buffer.add(new BrokerRecord(c.brokerId(), c.host(), c.port(), c.rack(), c.incarnationId(), index, false));
        PartitionControl.electLeaderlessEverywhere(buffer);
        return ControllerReply.encodeLong(index);
    }

    static byte[] fenceBroker(RecordBuffer buffer, FenceBroker c) {
        BrokerImage broker = buffer.image().brokers().get(c.brokerId());
        if (broker != null && broker.brokerEpoch() == c.brokerEpoch() && !broker.fenced()) {
            fence(buffer, broker);
        }
        return new byte[0];
    }

    static byte[] unfenceBroker(RecordBuffer buffer, UnfenceBroker c) {
        BrokerImage b = buffer.image().brokers().get(c.brokerId());
        if (b != null && b.brokerEpoch() == c.brokerEpoch() && b.fenced()) {
            buffer.add(new BrokerRecord(b.brokerId(), b.host(), b.port(), b.rack(), b.incarnationId(),
                    b.brokerEpoch(), false));
            PartitionControl.electLeaderlessEverywhere(buffer);
        }
        return new byte[0];
    }

    /**
     * Replaces the broker's set of offline replicas: it loses the leadership of each newly offline replica and
     * leaves its ISR where others remain; a replica back online may lead a leaderless partition again (and
     * rejoins ISRs through its leader's AlterPartition once it caught up). Refused for an unknown broker or
     * another incarnation (a report that outlived a restart).
     */
    static byte[] reportOfflineReplicas(RecordBuffer buffer, ReportOfflineReplicas c) {
        BrokerImage broker = buffer.image().brokers().get(c.brokerId());
        if (broker == null) {
            throw new BrokerIdNotRegisteredException("Broker " + c.brokerId() + " is not registered.");
        }
        if (!broker.incarnationId().equals(c.incarnationId())) {
            throw new StaleBrokerEpochException("Broker " + c.brokerId()
                    + " registered again with another incarnation.");
        }
        Set<ReplicaKey> next = Set.copyOf(c.replicas());
        if (next.equals(broker.offlineReplicas())) {
            return new byte[0];
        }
        boolean someBack = !next.containsAll(broker.offlineReplicas());
        buffer.add(new OfflineReplicasRecord(c.brokerId(), c.incarnationId(), c.replicas()));
        PartitionControl.removeOfflineReplicas(buffer, c.brokerId());
        if (someBack) {
            PartitionControl.electLeaderlessEverywhere(buffer);
        }
        return new byte[0];
    }

    /** Moves leaderships away and takes the broker out of ISRs where others remain, then fences it. */
    static byte[] controlledShutdown(RecordBuffer buffer, ControlledShutdown c) {
        BrokerImage broker = buffer.image().brokers().get(c.brokerId());
        if (broker == null) {
            throw new BrokerIdNotRegisteredException("Broker " + c.brokerId() + " is not registered.");
        }
        fence(buffer, broker);
        return new byte[0];
    }

    private static void fence(RecordBuffer buffer, BrokerImage b) {
        if (!b.fenced()) {
            buffer.add(new BrokerRecord(b.brokerId(), b.host(), b.port(), b.rack(), b.incarnationId(),
                    b.brokerEpoch(), true));
        }
        PartitionControl.removeBrokerEverywhere(buffer, b.brokerId());
    }
}
