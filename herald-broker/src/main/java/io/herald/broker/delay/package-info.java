/**
 * Delayed and scheduled delivery: on topics with {@code herald.delivery.delay.enable=true}, a produced record whose
 * {@code herald.deliver.at} or {@code herald.delay.ms} header lies in the future is taken out of its batch
 * ({@link io.herald.broker.delay.DelaySplit}), held in a partition of the replicated timer log
 * {@code __herald_delayed} ({@link io.herald.broker.delay.TimerRecord}) and appended to its partition when due by
 * that timer partition's leader ({@link io.herald.broker.delay.TimerPartition}), exactly once across restarts and
 * failover. The leader keeps the near future of its pending records in memory and the rest in time-bucket files
 * ({@link io.herald.broker.delay.TimerIndex}), a cache rebuilt from the timer log; records produced in a
 * transaction are released only once it committed.
 */
package io.herald.broker.delay;
