package io.herald.broker.txn;

import io.herald.broker.replica.Partition;
import io.herald.broker.replica.ReplicaManager;
import io.herald.broker.txn.TransactionVerifier.Operation;
import io.herald.broker.txn.TransactionVerifier.Verification;
import io.herald.common.txn.VerificationGuard;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Which partitions of a produce request need their transaction verified before the append (KIP-890), as Kafka's
 * {@code ReplicaManager.handleProduceAppend} decides: those holding transactional batches whose log (led here) has
 * no transaction of that producer ongoing at that epoch. Each such log hands out its {@link VerificationGuard}
 * before the coordinator is asked, so an end marker that lands between the coordinator's answer and the append
 * invalidates it; partitions with the transaction ongoing get {@link VerificationGuard#SENTINEL}, which lets their
 * batches continue the transaction but not start a new one.
 *
 * <p>A request with transactional batches but no transactional id is refused TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
 * one with transactional batches of more than one producer INVALID_PRODUCER_ID_MAPPING, as Kafka refuses them.
 */
public final class ProduceVerification {

    /** What to do before appending. */
    public sealed interface Needed {
        /**
         * Append, each transactional partition with its guard; first verify, if present, with the coordinator.
         * No guard (a partition absent from {@code guards}): the batches are not transactional.
         */
        record Append(Map<TopicPartition, VerificationGuard> guards, Optional<Verification> verification)
                implements Needed {}

        /** Answer every partition with this error, appending nothing. */
        record Refused(Errors error) implements Needed {}
    }

    private ProduceVerification() {
    }

    /** The transactional producer of a request, if its batches have one. */
    private record TransactionalBatches(long producerId, short epoch, Set<TopicPartition> partitions) {}

    public static Needed of(ProduceRequestData data, short version, ClusterImage image, ReplicaManager replicas) {
        Optional<TransactionalBatches> found;
        try {
            found = transactionalBatches(data, image);
        } catch (IllegalStateException twoProducers) {
            return new Needed.Refused(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (found.isEmpty()) {
            return new Needed.Append(Map.of(), Optional.empty());
        }
        if (data.transactionalId() == null) {
            return new Needed.Refused(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        }
        TransactionalBatches txn = found.get();
        Map<TopicPartition, VerificationGuard> guards = new HashMap<>();
        Set<TopicPartition> toVerify = new HashSet<>();
        for (TopicPartition tp : txn.partitions()) {
            // A partition not led here is not verified: its append fails with NOT_LEADER_OR_FOLLOWER anyway.
            Optional<Partition> partition = replicas.partition(tp).filter(Partition::isLeader);
            if (partition.isEmpty()) {
                continue;
            }
            VerificationGuard guard;
            try {
                guard = partition.get().maybeStartTransactionVerification(txn.producerId(), txn.epoch());
            } catch (RuntimeException notLeaderOrOffline) {
                continue; // the append reports it
            }
            guards.put(tp, guard);
            if (guard != VerificationGuard.SENTINEL) {
                toVerify.add(tp);
            }
        }
        return new Needed.Append(guards, toVerify.isEmpty() ? Optional.empty()
                : Optional.of(new Verification(data.transactionalId(), txn.producerId(), txn.epoch(), toVerify,
                Operation.ofProduce(version))));
    }

    /**
     * The partitions with transactional batches, and their producer.
     *
     * @throws IllegalStateException the batches are of more than one producer
     */
    private static Optional<TransactionalBatches> transactionalBatches(ProduceRequestData data, ClusterImage image) {
        long producerId = RecordBatch.NO_PRODUCER_ID;
        short epoch = RecordBatch.NO_PRODUCER_EPOCH;
        Set<TopicPartition> partitions = new HashSet<>();
        boolean transactional = false;
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Optional<TopicImage> topic = topicData.name() != null && !topicData.name().isEmpty()
                    ? image.topic(topicData.name()) : image.topic(topicData.topicId());
            for (ProduceRequestData.PartitionProduceData pd : topicData.partitionData()) {
                if (!(pd.records() instanceof MemoryRecords records)) {
                    continue;
                }
                for (RecordBatch batch : records.batches()) {
                    if (!batch.isTransactional() || !batch.hasProducerId()) {
                        continue;
                    }
                    if (transactional && batch.producerId() != producerId) {
                        throw new IllegalStateException("transactional batches of two producers");
                    }
                    transactional = true;
                    producerId = batch.producerId();
                    epoch = batch.producerEpoch();
                    topic.ifPresent(t -> partitions.add(new TopicPartition(t.name(), pd.index())));
                }
            }
        }
        return transactional ? Optional.of(new TransactionalBatches(producerId, epoch, partitions))
                : Optional.empty();
    }
}
