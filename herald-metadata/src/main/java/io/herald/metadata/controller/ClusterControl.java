package io.herald.metadata.controller;

import io.herald.metadata.controller.ControllerCommand.ControlledShutdown;
import io.herald.metadata.controller.ControllerCommand.FenceBroker;
import io.herald.metadata.controller.ControllerCommand.InitCluster;
import io.herald.metadata.controller.ControllerCommand.RegisterBroker;
import io.herald.metadata.controller.ControllerCommand.RegisterEndpoints;
import io.herald.metadata.controller.ControllerCommand.ReportOfflineReplicas;
import io.herald.metadata.controller.ControllerCommand.UnfenceBroker;
import io.herald.metadata.image.BrokerImage;
import io.herald.metadata.image.Endpoint;
import io.herald.metadata.image.ReplicaKey;
import io.herald.metadata.record.MetadataRecord.BrokerEndpointsRecord;
import io.herald.metadata.record.MetadataRecord.BrokerRecord;
import io.herald.metadata.record.MetadataRecord.ClusterIdRecord;
import io.herald.metadata.record.MetadataRecord.OfflineReplicasRecord;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;

/**
 * Decisions about the cluster id and broker membership: registration (a new incarnation is a restart) and the
 * client listener endpoints, fencing, unfencing and controlled shutdown, with the leadership and ISR sweeps they
 * cause ({@link PartitionControl}). Stateless.
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
     * The registered broker {@code brokerId}, if {@code incarnationId} is its current process.
     *
     * @throws BrokerIdNotRegisteredException for an unknown broker
     * @throws StaleBrokerEpochException      for a report of a process that has restarted since
     */
    private static BrokerImage currentIncarnation(RecordBuffer buffer, int brokerId, Uuid incarnationId) {
        BrokerImage broker = buffer.image().brokers().get(brokerId);
        if (broker == null) {
            throw new BrokerIdNotRegisteredException("Broker " + brokerId + " is not registered.");
        }
        if (!broker.incarnationId().equals(incarnationId)) {
            throw new StaleBrokerEpochException("Broker " + brokerId + " registered again with another incarnation.");
        }
        return broker;
    }

    /**
     * Replaces the broker's set of offline replicas: it loses the leadership of each newly offline replica and
     * leaves its ISR where others remain; a replica back online may lead a leaderless partition again (and
     * rejoins ISRs through its leader's AlterPartition once it caught up). Refused for an unknown broker or
     * another incarnation (a report that outlived a restart).
     */
    static byte[] reportOfflineReplicas(RecordBuffer buffer, ReportOfflineReplicas c) {
        BrokerImage broker = currentIncarnation(buffer, c.brokerId(), c.incarnationId());
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

    /**
     * Sets the broker's client listener endpoints; emits a record only when they differ from those it has (a
     * restart with the same listeners changes nothing). Refused for an unknown broker, another incarnation (the
     * endpoints of a process that restarted since), and endpoints that are not a valid set: a listener named
     * twice or not at all, a port outside 1 to 65535 (a port 0 must be resolved to the bound one first), or a
     * security protocol this version does not know.
     */
    static byte[] registerEndpoints(RecordBuffer buffer, RegisterEndpoints c) {
        BrokerImage broker = currentIncarnation(buffer, c.brokerId(), c.incarnationId());
        Set<String> listeners = new HashSet<>();
        for (Endpoint e : c.endpoints()) {
            if (e.listenerName().isEmpty() || !listeners.add(e.listenerName())) {
                throw failEndpoints(c, "listener name '" + e.listenerName() + "' is empty or given twice");
            }
            if (e.port() < 1 || e.port() > 65535) {
                throw failEndpoints(c, "port " + e.port() + " of listener " + e.listenerName()
                        + " (expected: 1 to 65535)");
            }
            if (e.protocol().isEmpty()) {
                throw failEndpoints(c, "security protocol " + e.securityProtocol() + " of listener "
                        + e.listenerName() + " (expected: 0 to 3)");
            }
        }
        if (!c.endpoints().equals(broker.endpoints())) {
            buffer.add(new BrokerEndpointsRecord(c.brokerId(), c.endpoints()));
        }
        return new byte[0];
    }

    private static InvalidRequestException failEndpoints(RegisterEndpoints c, String problem) {
        return new InvalidRequestException("Invalid endpoints of broker " + c.brokerId() + ": " + problem + ".");
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
