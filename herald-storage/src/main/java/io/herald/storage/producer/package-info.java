/**
 * Producer state: per producer id its epoch, last five batches, coordinator epoch and ongoing transaction; the
 * idempotence and transaction rules an append must pass; and the snapshots that make loading fast.
 */
package io.herald.storage.producer;
