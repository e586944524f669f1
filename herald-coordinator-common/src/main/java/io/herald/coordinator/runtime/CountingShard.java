package io.herald.coordinator.runtime;

import org.apache.kafka.common.requests.TransactionResult;

/** Passes the records of a load to the shard being loaded, counting them for the load's log line. */
record CountingShard<R>(CoordinatorShard<R> shard, long[] count) implements CoordinatorShard<R> {
    @Override
    public void replay(R record) {
        shard.replay(record);
        count[0]++;
    }

    @Override
    public void replayTransactional(TransactionalProducer producer, R record) {
        shard.replayTransactional(producer, record);
        count[0]++;
    }

    @Override
    public void replayEndTransactionMarker(TransactionalProducer producer, TransactionResult result) {
        shard.replayEndTransactionMarker(producer, result);
    }
}
