package io.herald.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Share-group client steps the end-to-end tests share: group configs, a stock {@link KafkaShareConsumer}, polling
 * with a deadline and waiting for the group's start offset. Every wait is bounded.
 */
final class ShareClients {
    static final long T = 30;

    private ShareClients() {
    }

    /** Sets group configs, with {@code share.auto.offset.reset=earliest} unless given. */
    static void configure(TestBroker broker, String group, Map<String, String> configs) throws Exception {
        Map<String, String> all = new HashMap<>();
        all.put("share.auto.offset.reset", "earliest");
        all.putAll(configs);
        List<AlterConfigOp> ops = new ArrayList<>();
        all.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        try (Admin admin = broker.admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all()
                    .get(T, TimeUnit.SECONDS);
        }
    }

    /** A share consumer of {@code group} with string keys and values, added to {@code open} for closing. */
    static KafkaShareConsumer<String, String> shareConsumer(TestBroker broker, String group, String ackMode,
                                                            List<KafkaShareConsumer<String, String>> open) {
        return shareConsumer(broker, group, ackMode, Map.of(), open);
    }

    /** As above, with further client configs; {@code open} is locked while added to (consumers made in threads). */
    static KafkaShareConsumer<String, String> shareConsumer(TestBroker broker, String group, String ackMode,
                                                            Map<String, Object> extra,
                                                            List<KafkaShareConsumer<String, String>> open) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("bootstrap.servers", broker.bootstrap());
        cfg.put("group.id", group);
        cfg.put("share.acknowledgement.mode", ackMode);
        cfg.put("request.timeout.ms", 15_000);
        cfg.put("default.api.timeout.ms", 20_000);
        cfg.putAll(extra);
        KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(cfg, new StringDeserializer(),
                new StringDeserializer());
        synchronized (open) {
            open.add(c);
        }
        return c;
    }

    /** Polls until at least {@code n} records arrived; fails after 60 s. */
    static List<ConsumerRecord<String, String>> pollUntil(KafkaShareConsumer<String, String> c, int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertThat(out).as("records polled within 60 s").hasSizeGreaterThanOrEqualTo(n);
        return out;
    }

    /** Waits until the group's start offset on {@code tp} reached {@code expected}; fails after 30 s. */
    static void awaitStartOffset(TestBroker broker, String group, TopicPartition tp, long expected)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        long last = -1;
        try (Admin admin = broker.admin()) {
            while (System.nanoTime() < deadline) {
                SharePartitionOffsetInfo info = admin.listShareGroupOffsets(Map.of(group,
                        new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group).get(T, TimeUnit.SECONDS).get(tp);
                last = info == null ? -1 : info.startOffset();
                if (last == expected) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("start offset of " + group + " on " + tp + " is " + last + ", never " + expected);
    }

    /** A record's headers as strings (the last value of a repeated key). */
    static Map<String, String> headers(ConsumerRecord<?, ?> r) {
        Map<String, String> out = new HashMap<>();
        for (Header h : r.headers()) {
            out.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
