/**
 * The broker's metrics as Micrometer meters: requests per API ({@link RequestMetrics}), traffic per topic
 * ({@link TopicMetrics}), partitions, ISR changes, log sizes and purgatories ({@link ReplicaMetrics}), consumer
 * group lag ({@link GroupLagMetrics}) and the metadata quorum ({@link QuorumMetrics}). The registry is given by
 * whoever starts the broker; herald-http scrapes it. Meter names are listed in the README.
 */
package io.herald.broker.metrics;
