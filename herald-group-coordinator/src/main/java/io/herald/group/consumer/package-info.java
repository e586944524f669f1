/**
 * The KIP-848 "consumer" group protocol (ConsumerGroupHeartbeat, API key 68;
 * ConsumerGroupDescribe, 69) as a pure state machine.
 *
 * <p>{@link io.herald.group.consumer.ConsumerGroupCoordinatorShard} is the entry point: it
 * turns requests and timer ticks into {@link io.herald.group.record.ConsumerGroupRecord}s
 * plus a response, and changes state only by replaying records, so live operation and loading
 * {@code __consumer_offsets} share one code path. {@link io.herald.group.consumer.Reconciler}
 * holds the rules that keep a partition from having two owners; the server assignors live in
 * {@code .assignor}. Nothing here does I/O, starts threads or reads the clock.
 */
package io.herald.group.consumer;
