/**
 * Delayed and scheduled delivery: on topics with {@code herald.delivery.delay.enable=true}, a produced record whose
 * {@code herald.deliver.at} or {@code herald.delay.ms} header lies in the future is taken out of its batch
 * ({@link io.herald.broker.delay.DelaySplit}), held in a partition of the replicated timer log
 * {@code __herald_delayed} ({@link io.herald.broker.delay.TimerRecord}) and appended to its partition when due by
 * that timer partition's leader ({@link io.herald.broker.delay.TimerPartition}), exactly once across restarts and
 * failover.
 */
package io.herald.broker.delay;
