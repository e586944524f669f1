package io.herald.broker.share.handler;

import io.herald.broker.share.AcknowledgeType;
import io.herald.broker.share.AcknowledgementBatch;
import io.herald.broker.share.SharePartitionManager;
import io.herald.metadata.image.ClusterImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The acknowledgement half of ShareFetch and ShareAcknowledge (Kafka 4.3.1's KafkaApis.handleAcknowledgements and
 * validateAcknowledgementBatches): per partition, the batches are checked in request order, and the first bad one
 * makes the whole partition INVALID_REQUEST: first offset after last offset, a first offset before the previous
 * batch's last offset, no types, per-offset types whose count does not match the offsets, a type outside 0..3 (0..4
 * from v2), RENEW (4) in a request not flagged IsRenewAck. Then partitions of topics the principal may not READ are
 * TOPIC_AUTHORIZATION_FAILED, of unknown topics UNKNOWN_TOPIC_ID or UNKNOWN_TOPIC_OR_PARTITION (an unknown topic id
 * before anything else); a partition with no batches succeeds without touching anything.
 *
 * <p>Thread-safety: stateless.
 */
final class Acknowledgements {
    private final SharePartitionManager manager;

    Acknowledgements(SharePartitionManager manager) {
        this.manager = manager;
    }

    /** A partition's batches as the request has them; {@code topicId} unresolved when {@code partition.topic()} is null. */
    record Requested(TopicIdPartition partition, List<AcknowledgementBatch> batches) {}

    /**
     * @param supportsRenew the request's version has RENEW (v2)
     * @param isRenewAck    the request says it carries renewals
     * @param readable      whether the principal may READ a topic (by name)
     * @return each partition's outcome, empty when done
     */
    CompletableFuture<Map<TopicIdPartition, Optional<ApiException>>> acknowledge(
            String groupId, String memberId, List<Requested> requested, ClusterImage image, boolean supportsRenew,
            boolean isRenewAck, Predicate<String> readable) {
        Map<TopicIdPartition, Optional<ApiException>> answered = new LinkedHashMap<>();
        Map<TopicIdPartition, List<AcknowledgementBatch>> interested = new LinkedHashMap<>();
        for (Requested r : requested) {
            TopicIdPartition tp = r.partition();
            if (tp.topic() == null) {
                answered.put(tp, Optional.of(new UnknownTopicIdException("Unknown topic id " + tp.topicId())));
                continue;
            }
            Optional<String> invalid = validate(r.batches(), supportsRenew, isRenewAck);
            if (invalid.isPresent()) {
                answered.put(tp, Optional.of(new InvalidRequestException(invalid.get())));
                continue;
            }
            if (!readable.test(tp.topic())) {
                answered.put(tp, Optional.of(new TopicAuthorizationException(
                        Errors.TOPIC_AUTHORIZATION_FAILED.message())));
                continue;
            }
            boolean known = image.topic(tp.topicId()).flatMap(t -> t.partition(tp.partition())).isPresent();
            if (!known) {
                answered.put(tp, Optional.of(new UnknownTopicOrPartitionException(
                        "Unknown partition " + tp.partition() + " of " + tp.topic())));
            } else if (r.batches().isEmpty()) {
                answered.put(tp, Optional.empty());
            } else {
                interested.put(tp, r.batches());
            }
        }
        if (interested.isEmpty()) {
            return CompletableFuture.completedFuture(answered);
        }
        return manager.acknowledge(groupId, memberId, interested).thenApply(done -> {
            Map<TopicIdPartition, Optional<ApiException>> all = new LinkedHashMap<>(done);
            all.putAll(answered);
            return all;
        });
    }

    /** The reason the batches are invalid, if they are. */
    static Optional<String> validate(List<AcknowledgementBatch> batches, boolean supportsRenew, boolean isRenewAck) {
        int maxType = supportsRenew ? AcknowledgeType.RENEW.id() : AcknowledgeType.REJECT.id();
        long previousLast = -1;
        for (AcknowledgementBatch b : batches) {
            if (b.firstOffset() > b.lastOffset()) {
                return Optional.of("Acknowledgement batch [" + b.firstOffset() + ", " + b.lastOffset()
                        + "] ends before it starts");
            }
            if (b.firstOffset() < previousLast) {
                return Optional.of("Acknowledgement batches out of order: " + b.firstOffset() + " after "
                        + previousLast);
            }
            if (b.types().isEmpty()) {
                return Optional.of("Acknowledgement batch without acknowledge types");
            }
            if (b.types().size() > 1 && b.lastOffset() - b.firstOffset() != b.types().size() - 1) {
                return Optional.of("Acknowledgement batch [" + b.firstOffset() + ", " + b.lastOffset() + "] has "
                        + b.types().size() + " acknowledge types");
            }
            for (byte t : b.types()) {
                if (t < 0 || t > maxType) {
                    return Optional.of("Invalid acknowledge type " + t + " (expected: 0 to " + maxType + ")");
                }
                if (t == AcknowledgeType.RENEW.id() && !isRenewAck) {
                    return Optional.of("Renew acknowledgement in a request without IsRenewAck");
                }
            }
            previousLast = b.lastOffset();
        }
        return Optional.empty();
    }
}
