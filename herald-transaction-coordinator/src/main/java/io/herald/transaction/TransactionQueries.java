package io.herald.transaction;

import io.herald.common.time.Time;
import io.herald.transaction.state.TransactionMetadata;
import io.herald.transaction.state.TransactionState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The admin reads of one shard (KIP-664): DescribeTransactions of one id and this shard's part of
 * ListTransactions.
 *
 * <p>Not thread-safe: confined to the coordinator's event loop.
 */
final class TransactionQueries {
    /**
     * ListTransactions' filters, Kafka's semantics: empty sets match everything; a duration below zero matches
     * everything, else only transactions running longer than it; a null pattern matches every id.
     */
    record ListFilter(Set<TransactionState> states, Set<Long> producerIds, long durationMs, Pattern idPattern) {
        boolean matches(TransactionMetadata m, long now) {
            if (m.state() == TransactionState.DEAD) {
                return false; // being expired
            }
            if (!producerIds.isEmpty() && !producerIds.contains(m.producerId())) {
                return false;
            }
            if (!states.isEmpty() && !states.contains(m.state())) {
                return false;
            }
            if (durationMs >= 0 && now - m.startTimestamp() <= durationMs) {
                return false;
            }
            return idPattern == null || idPattern.matcher(m.transactionalId()).matches();
        }
    }

    private final TransactionStore store;
    private final Time time;

    TransactionQueries(TransactionStore store, Time time) {
        this.store = store;
        this.time = time;
    }

    List<ListTransactionsResponseData.TransactionState> list(ListFilter filter) {
        long now = time.milliseconds();
        List<ListTransactionsResponseData.TransactionState> listed = new ArrayList<>();
        store.all().stream().filter(m -> filter.matches(m, now))
                .sorted(Comparator.comparing(TransactionMetadata::transactionalId))
                .forEach(m -> listed.add(new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(m.transactionalId()).setProducerId(m.producerId())
                        .setTransactionState(m.state().stateName())));
        return listed;
    }

    /** The id's transaction, or TRANSACTIONAL_ID_NOT_FOUND. */
    DescribeTransactionsResponseData.TransactionState describe(String transactionalId) {
        var described = new DescribeTransactionsResponseData.TransactionState().setTransactionalId(transactionalId);
        var found = store.get(transactionalId).filter(m -> m.state() != TransactionState.DEAD);
        if (found.isEmpty()) {
            return described.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        }
        TransactionMetadata m = found.get();
        m.partitions().stream().sorted(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition)).forEach(tp -> {
                    var topic = described.topics().find(tp.topic());
                    if (topic == null) {
                        topic = new DescribeTransactionsResponseData.TopicData().setTopic(tp.topic());
                        described.topics().add(topic);
                    }
                    topic.partitions().add(tp.partition());
                });
        return described.setErrorCode(Errors.NONE.code()).setProducerId(m.producerId())
                .setProducerEpoch(m.producerEpoch()).setTransactionState(m.state().stateName())
                .setTransactionTimeoutMs(m.timeoutMs()).setTransactionStartTimeMs(m.startTimestamp());
    }
}
