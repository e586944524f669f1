/** Idempotent-producer state (epoch and last five batches per producer id) and its snapshots. */
package io.herald.storage.producer;
