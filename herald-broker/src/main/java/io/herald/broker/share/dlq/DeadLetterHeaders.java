package io.herald.broker.share.dlq;

import io.herald.broker.share.ArchiveReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.Record;

/**
 * The context headers of a dead-letter record (KIP-1191's names), all string values: where the record came from
 * (topic, partition, offset), which group gave up on it, after how many deliveries and why. They are also how a
 * new leader recognises the copies of its share-partition: {@link #origin} reads them back.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeadLetterHeaders {
    public static final String TOPIC = "__dlq.errors.topic";
    public static final String PARTITION = "__dlq.errors.partition";
    public static final String OFFSET = "__dlq.errors.offset";
    public static final String GROUP = "__dlq.errors.group";
    public static final String DELIVERY_COUNT = "__dlq.errors.delivery.count";
    public static final String MESSAGE = "__dlq.errors.message";

    /** Where a dead-letter record's original lives, and which group copied it. */
    public record Origin(String group, String topic, int partition, long offset) {}

    private DeadLetterHeaders() {
    }

    /** The text of {@link #MESSAGE}: why the record was dead-lettered. */
    public static String message(ArchiveReason reason, int deliveryCount) {
        return switch (reason) {
            case REJECTED -> "Record rejected by a share consumer";
            case DELIVERY_LIMIT -> "Record reached the delivery count limit (delivered " + deliveryCount + " times)";
            case EXPIRED -> "expired";
        };
    }

    static List<Header> context(Origin origin, int deliveryCount, ArchiveReason reason) {
        List<Header> headers = new ArrayList<>(6);
        headers.add(header(TOPIC, origin.topic()));
        headers.add(header(PARTITION, Integer.toString(origin.partition())));
        headers.add(header(OFFSET, Long.toString(origin.offset())));
        headers.add(header(GROUP, origin.group()));
        headers.add(header(DELIVERY_COUNT, Integer.toString(deliveryCount)));
        headers.add(header(MESSAGE, message(reason, deliveryCount)));
        return headers;
    }

    /**
     * The origin a dead-letter record names, if it carries the four identifying headers (the first of each; the
     * copied original headers come after them). Any record of the topic may be looked at: one without them, or with
     * values that do not parse, has no origin.
     */
    static Optional<Origin> origin(Record record) {
        String topic = null;
        String group = null;
        String partition = null;
        String offset = null;
        for (Header h : record.headers()) {
            switch (h.key()) {
                case TOPIC -> topic = topic == null ? string(h) : topic;
                case GROUP -> group = group == null ? string(h) : group;
                case PARTITION -> partition = partition == null ? string(h) : partition;
                case OFFSET -> offset = offset == null ? string(h) : offset;
                default -> { }
            }
        }
        if (topic == null || group == null || partition == null || offset == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Origin(group, topic, Integer.parseInt(partition), Long.parseLong(offset)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(Header h) {
        return h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
