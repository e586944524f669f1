/**
 * Message TTL: the topic config {@code herald.message.ttl.ms} and, on topics where it is set, the per-record header
 * {@code herald.ttl.ms} (the smaller wins). A record expires at its timestamp plus its TTL; the log keeps expired
 * records until retention deletes them, and readers skip them: log consumers whole batches at a time by the batch's
 * newest timestamp ({@link FetchExpiry}), share groups record by record ({@link ExpiredRecords}), archiving (and
 * dead-lettering) what they skip.
 */
package io.herald.broker.ttl;
