package io.herald.broker.txn;

import io.herald.broker.network.InterBrokerSender;
import io.herald.common.time.Time;
import io.herald.common.timer.Timer;
import io.herald.metadata.image.ClusterImage;
import io.herald.metadata.image.PartitionImage;
import io.herald.metadata.image.TopicImage;
import io.herald.transaction.TransactionCoordinator;
import io.herald.transaction.TransactionTopic;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link TransactionVerifier}: the coordinator is the leader of the id's {@code __transaction_state}
 * partition; this broker's own coordinator is called directly, another broker's by AddPartitionsToTxn v5
 * (verify only, or add), as Kafka's {@code AddPartitionsToTxnManager} does.
 *
 * <p>Thread-safety: thread-safe; futures complete on the coordinator's loop or the inter-broker thread.
 */
public final class CoordinatorVerifier implements TransactionVerifier {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorVerifier.class);
    /**
     * Both kinds at v5, as Kafka's leaders send them (the newest version the coordinator serves): v4 would have
     * the coordinator turn TRANSACTION_ABORTABLE into INVALID_TXN_STATE before the client's version is known.
     */
    private static final short VERSION = 5;

    /** Kafka's {@code add.partitions.to.txn.retry.backoff.ms} and {@code ...max.ms}. */
    public record Retry(Timer timer, Time time, long backoffMs, long maxMs) {}

    private final int localBrokerId;
    private final Supplier<ClusterImage> images;
    private final TransactionCoordinator coordinator;
    private final InterBrokerSender sender;
    private final Retry retry;

    public CoordinatorVerifier(int localBrokerId, Supplier<ClusterImage> images, TransactionCoordinator coordinator,
                               InterBrokerSender sender, Retry retry) {
        this.localBrokerId = localBrokerId;
        this.images = images;
        this.coordinator = coordinator;
        this.sender = sender;
        this.retry = retry;
    }

    /**
     * Verifies, and asks again the partitions answered CONCURRENT_TRANSACTIONS (the producer's previous transaction
     * is still writing its markers) every {@code backoffMs} for up to {@code maxMs}, as Kafka's leaders do, so a
     * producer that starts its next transaction at once rarely sees the error.
     */
    @Override
    public CompletableFuture<Map<TopicPartition, Errors>> verify(Verification verification) {
        CompletableFuture<Map<TopicPartition, Errors>> answer = new CompletableFuture<>();
        attempt(verification, retry.time().milliseconds() + retry.maxMs(), answer);
        return answer;
    }

    private void attempt(Verification verification, long deadlineMs,
                         CompletableFuture<Map<TopicPartition, Errors>> answer) {
        verifyOnce(verification).whenComplete((unverified, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
                return;
            }
            Set<TopicPartition> concurrent = new HashSet<>();
            unverified.forEach((tp, e) -> {
                if (e == Errors.CONCURRENT_TRANSACTIONS) {
                    concurrent.add(tp);
                }
            });
            if (concurrent.isEmpty() || retry.time().milliseconds() + retry.backoffMs() > deadlineMs) {
                answer.complete(unverified);
                return;
            }
            Map<TopicPartition, Errors> settled = new HashMap<>(unverified);
            concurrent.forEach(settled::remove);
            Verification again = new Verification(verification.transactionalId(), verification.producerId(),
                    verification.producerEpoch(), concurrent, verification.operation());
            CompletableFuture<Map<TopicPartition, Errors>> retried = new CompletableFuture<>();
            retried.whenComplete((errors, e) -> {
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    settled.putAll(errors);
                    answer.complete(settled);
                }
            });
            try {
                retry.timer().schedule(retry.backoffMs(), () -> attempt(again, deadlineMs, retried));
            } catch (IllegalStateException closed) {
                answer.complete(unverified);
            }
        });
    }

    private CompletableFuture<Map<TopicPartition, Errors>> verifyOnce(Verification verification) {
        if (verification.partitions().isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        Optional<Integer> node = coordinatorNode(verification.transactionalId());
        if (node.isEmpty()) {
            return CompletableFuture.completedFuture(every(verification, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        boolean add = verification.operation() == Operation.ADD_PARTITION;
        AddPartitionsToTxnRequestData request = request(verification, !add);
        CompletableFuture<AddPartitionsToTxnResponseData> answer;
        if (node.get() == localBrokerId) {
            answer = coordinator.addPartitionsToTxn(request, VERSION);
        } else {
            answer = sender.send(node.get(), AddPartitionsToTxnRequest.Builder.forBroker(
                            request.transactions()).build(VERSION))
                    .thenApply(r -> ((AddPartitionsToTxnResponse) r).data());
        }
        return answer.handle((response, failure) -> {
            if (failure != null) {
                log.debug("Verifying {} with broker {} failed: {}", verification.transactionalId(), node.get(),
                        failure.toString());
                return every(verification, Errors.NETWORK_EXCEPTION);
            }
            return unverified(verification, response);
        });
    }

    private Optional<Integer> coordinatorNode(String transactionalId) {
        ClusterImage image = images.get();
        Optional<TopicImage> topic = image.topic(TransactionTopic.NAME);
        if (topic.isEmpty() || topic.get().partitionCount() == 0) {
            return Optional.empty();
        }
        int partition = TransactionTopic.partitionFor(transactionalId, topic.get().partitionCount());
        return topic.get().partition(partition).map(PartitionImage::leader)
                .filter(id -> id >= 0 && image.brokers().containsKey(id));
    }

    private static AddPartitionsToTxnRequestData request(Verification v, boolean verifyOnly) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        v.partitions().forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new java.util.ArrayList<>())
                .add(tp.partition()));
        byTopic.forEach((topic, partitions) -> topics.add(new AddPartitionsToTxnTopic().setName(topic)
                .setPartitions(partitions)));
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId(v.transactionalId())
                .setProducerId(v.producerId()).setProducerEpoch(v.producerEpoch()).setVerifyOnly(verifyOnly)
                .setTopics(topics));
        return new AddPartitionsToTxnRequestData().setTransactions(transactions);
    }

    private static Map<TopicPartition, Errors> unverified(Verification v, AddPartitionsToTxnResponseData response) {
        if (response.errorCode() != Errors.NONE.code()) {
            Errors error = Errors.forCode(response.errorCode());
            // A client must not see CLUSTER_AUTHORIZATION_FAILED for a check it did not ask for.
            return every(v, error == Errors.CLUSTER_AUTHORIZATION_FAILED ? Errors.INVALID_TXN_STATE : error);
        }
        var result = response.resultsByTransaction().find(v.transactionalId());
        if (result == null) {
            return every(v, Errors.INVALID_TXN_STATE);
        }
        Map<TopicPartition, Errors> unverified = new HashMap<>();
        result.topicResults().forEach(topic -> topic.resultsByPartition().forEach(p -> {
            Errors error = Errors.forCode(p.partitionErrorCode());
            if (error != Errors.NONE) {
                unverified.put(new TopicPartition(topic.name(), p.partitionIndex()), translate(error, v.operation()));
            }
        }));
        // a partition the coordinator left out of its answer was not verified
        v.partitions().forEach(tp -> {
            if (!answered(result, tp)) {
                unverified.putIfAbsent(tp, Errors.INVALID_TXN_STATE);
            }
        });
        return unverified;
    }

    private static boolean answered(AddPartitionsToTxnResponseData.AddPartitionsToTxnResult result,
                                    TopicPartition tp) {
        var topic = result.topicResults().find(tp.topic());
        return topic != null && topic.resultsByPartition().find(tp.partition()) != null;
    }

    private static Errors translate(Errors error, Operation operation) {
        if (error == Errors.PRODUCER_FENCED) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        // Only clients that handle TRANSACTION_ABORTABLE get it (Kafka's rule for backward compatibility).
        if (error == Errors.TRANSACTION_ABORTABLE && operation != Operation.GENERIC_ERROR) {
            return Errors.INVALID_TXN_STATE;
        }
        return error;
    }

    private static Map<TopicPartition, Errors> every(Verification v, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        v.partitions().forEach(tp -> errors.put(tp, error));
        return errors;
    }
}
