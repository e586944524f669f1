package io.herald.broker.metrics;

/**
 * What the Produce and Fetch handlers report of the data they move, per topic (Kafka's BrokerTopicMetrics
 * BytesInPerSec, MessagesInPerSec, BytesOutPerSec, and the records out that Kafka does not count). Thread-safe; called on request threads, never blocks.
 */
public interface TopicTraffic {
    /** Reports nothing (tests that build handlers by hand). */
    TopicTraffic NONE = new TopicTraffic() {
        @Override
        public void appended(String topic, long bytes, long records) {
        }

        @Override
        public void sentToConsumer(String topic, long bytes, long offsets) {
        }
    };

    /** A produced batch was appended by a leader (a duplicate retry is not reported). */
    void appended(String topic, long bytes, long records);

    /**
     * A consumer's fetch response carried {@code bytes} of the topic's records, covering {@code offsets} offsets from
     * the fetch offsets on (records, plus the control records and compaction gaps among them; followers are not
     * counted).
     */
    void sentToConsumer(String topic, long bytes, long offsets);
}
