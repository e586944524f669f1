package io.herald.cli.dlq;

import io.herald.cli.format.Text;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The context a dead-letter record carries in its KIP-1191 headers: where the original lives, which share group
 * gave up on it, after how many deliveries, and why. Read from the first header of each name, as the broker writes
 * them ahead of the original's own headers (which a record dead-lettered twice may repeat).
 *
 * @param topic         {@value #TOPIC}
 * @param partition     {@value #PARTITION}
 * @param offset        {@value #OFFSET}
 * @param group         {@value #GROUP}
 * @param deliveryCount {@value #DELIVERY_COUNT}
 * @param message       {@value #MESSAGE}
 */
record DeadLetter(Optional<String> topic, OptionalInt partition, OptionalLong offset, Optional<String> group,
                  Optional<String> deliveryCount, Optional<String> message) {

    /** The prefix of every context header: what a replay leaves out of the copy it sends back. */
    static final String PREFIX = "__dlq.errors.";
    static final String TOPIC = "__dlq.errors.topic";
    static final String PARTITION = "__dlq.errors.partition";
    static final String OFFSET = "__dlq.errors.offset";
    static final String GROUP = "__dlq.errors.group";
    static final String DELIVERY_COUNT = "__dlq.errors.delivery.count";
    static final String MESSAGE = "__dlq.errors.message";
    /** The topic config that marks a topic as a dead-letter topic. */
    static final String ENABLE_CONFIG = "errors.deadletterqueue.group.enable";

    static DeadLetter of(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> first = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            if (header.key().startsWith(PREFIX) && header.value() != null) {
                first.putIfAbsent(header.key(), Text.string(header.value()));
            }
        }
        return new DeadLetter(Optional.ofNullable(first.get(TOPIC)), parseInt(first.get(PARTITION)),
                parseLong(first.get(OFFSET)), Optional.ofNullable(first.get(GROUP)),
                Optional.ofNullable(first.get(DELIVERY_COUNT)), Optional.ofNullable(first.get(MESSAGE)));
    }

    /** {@code orders-2@17}, or what is known of it. */
    String source() {
        return topic.orElse("?") + "-" + (partition.isPresent() ? Integer.toString(partition.getAsInt()) : "?") + "@"
                + (offset.isPresent() ? Long.toString(offset.getAsLong()) : "?");
    }

    /** The fields as JSON values, absent ones {@code null}. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("topic", topic.orElse(null));
        json.put("partition", partition.isPresent() ? partition.getAsInt() : null);
        json.put("offset", offset.isPresent() ? offset.getAsLong() : null);
        json.put("group", group.orElse(null));
        json.put("deliveryCount", deliveryCount.orElse(null));
        json.put("message", message.orElse(null));
        return json;
    }

    private static OptionalInt parseInt(String s) {
        try {
            return s == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalLong parseLong(String s) {
        try {
            return s == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
