/**
 * A partition's leader log as broker-side writers reach it, wherever the leader is: {@link
 * io.herald.broker.partition.LeaderLog}, through this broker's replica ({@link
 * io.herald.broker.partition.LocalLeaderLog}) or the client APIs to another broker ({@link
 * io.herald.broker.partition.RemoteLeaderLog}). Used by share groups' dead-letter topics and the delayed-delivery
 * timer log.
 */
package io.herald.broker.partition;
