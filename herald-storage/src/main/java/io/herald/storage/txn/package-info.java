/**
 * Transactions in partition logs, as Kafka keeps them: end-transaction markers ({@link
 * io.herald.storage.txn.TransactionMarker}), the ongoing and not yet replicated transactions that define the first
 * unstable offset ({@link io.herald.storage.txn.TransactionTracker}), and the per-segment aborted-transaction index
 * ({@link io.herald.storage.txn.TransactionIndex}) that read_committed fetches consult.
 */
package io.herald.storage.txn;
