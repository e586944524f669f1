package io.herald.broker.quota;

import io.herald.protocol.KafkaRequest;

/**
 * The consumer byte quota ({@code consumer_byte_rate}) as the fetch handler applies it, before its answer is
 * recorded in the fetch session: a throttled fetch answers no records, so the session must not believe they were
 * sent.
 *
 * <p>Thread-safe.
 */
public interface FetchQuota {

    /** No quota. */
    FetchQuota NONE = new FetchQuota() {
        @Override
        public int maxBytes(KafkaRequest request, int requested) {
            return requested;
        }

        @Override
        public int recordAndThrottleMs(KafkaRequest request, long bytes) {
            return 0;
        }
    };

    /** The most bytes the fetch may read: {@code requested}, or less when the client's quota is smaller. */
    int maxBytes(KafkaRequest request, int requested);

    /**
     * Records the bytes of records the fetch would answer.
     *
     * @return 0 to send them; otherwise the throttle time, and the answer must carry no records (the bytes were
     *     not counted)
     */
    int recordAndThrottleMs(KafkaRequest request, long bytes);
}
