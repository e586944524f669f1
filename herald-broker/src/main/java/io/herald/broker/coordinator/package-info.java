/**
 * The broker side of the coordinators (herald-coordinator-common): their internal topics on the replica manager,
 * and the leadership changes that load and unload their shards.
 */
package io.herald.broker.coordinator;
