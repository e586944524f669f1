package io.herald.http.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.common.time.Time;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's last hour: every {@code interval} (10 s in a broker) a sample of each topic's byte and record
 * counters and log size and each group's lag, read from the broker's meters; the oldest samples fall off after
 * {@code window}. The answer also has each partition's current size on this broker. Charts take rates from the differences of consecutive samples. {@link #json} adds a sample of
 * the moment, so a chart has a current point even before the first interval has passed.
 *
 * <p>Thread-safety: sampled on its own thread; read from HTTP workers; the samples are guarded by this.
 */
final class MetricsHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHistory.class);

    /** One topic at one moment. */
    record TopicSample(double bytesIn, double bytesOut, double messagesIn, double sizeBytes) {}

    /** Everything at one moment (epoch ms). */
    record Sample(long timeMs, Map<String, TopicSample> topics, Map<String, Double> groupLag) {}

    private final MeterRegistry registry;
    private final Runnable refresh;
    private final Time time;
    private final Duration interval;
    private final int capacity;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService sampler;

    /**
     * @param refresh re-reads the on-demand meters (group lag, log sizes) before a sample
     */
    MetricsHistory(MeterRegistry registry, Runnable refresh, Time time, Duration interval, Duration window) {
        this.registry = registry;
        this.refresh = refresh;
        this.time = time;
        this.interval = interval;
        this.capacity = (int) Math.max(2, window.toMillis() / interval.toMillis());
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-console-history");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        sampler.scheduleWithFixedDelay(this::sampleSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sampleSafely() {
        try {
            Sample sample = sample();
            synchronized (this) {
                samples.addLast(sample);
                while (samples.size() > capacity) {
                    samples.removeFirst();
                }
            }
        } catch (RuntimeException e) {
            log.debug("Console history sample failed: {}", e.toString());
        }
    }

    /** The samples, oldest first, and one of now. */
    ObjectNode json() {
        List<Sample> all;
        synchronized (this) {
            all = new java.util.ArrayList<>(samples);
        }
        all.add(sample());
        ObjectNode node = ConsoleJson.MAPPER.createObjectNode().put("interval_ms", interval.toMillis());
        ObjectNode partitions = node.putObject("partition_sizes");
        for (Gauge g : registry.find("herald.log.size.bytes").gauges()) {
            String topic = g.getId().getTag("topic");
            String partition = g.getId().getTag("partition");
            if (topic != null && partition != null) {
                ObjectNode ofTopic = partitions.has(topic) ? (ObjectNode) partitions.get(topic)
                        : partitions.putObject(topic);
                ofTopic.put(partition, g.value());
            }
        }
        var array = node.putArray("samples");
        for (Sample s : all) {
            ObjectNode sample = array.addObject().put("t", s.timeMs());
            ObjectNode topics = sample.putObject("topics");
            s.topics().forEach((topic, t) -> topics.putObject(topic).put("bytes_in", t.bytesIn())
                    .put("bytes_out", t.bytesOut()).put("messages_in", t.messagesIn()).put("size", t.sizeBytes()));
            ObjectNode groups = sample.putObject("groups");
            s.groupLag().forEach(groups::put);
        }
        return node;
    }

    Sample sample() {
        refresh.run();
        Map<String, double[]> topics = new TreeMap<>();
        counters("herald.topic.bytes.in", topics, 0);
        counters("herald.topic.bytes.out", topics, 1);
        counters("herald.topic.messages.in", topics, 2);
        for (Gauge g : registry.find("herald.log.size.bytes").gauges()) {
            String topic = g.getId().getTag("topic");
            if (topic != null && !topic.startsWith("__")) {
                topics.computeIfAbsent(topic, k -> new double[4])[3] += g.value();
            }
        }
        Map<String, TopicSample> byTopic = new TreeMap<>();
        topics.forEach((topic, v) -> byTopic.put(topic, new TopicSample(v[0], v[1], v[2], v[3])));
        Map<String, Double> lag = new TreeMap<>();
        for (Gauge g : registry.find("kafka.consumergroup.lag.sum").gauges()) {
            String group = g.getId().getTag("consumergroup");
            if (group != null) {
                lag.merge(group, g.value(), Double::sum);
            }
        }
        return new Sample(time.milliseconds(), byTopic, lag);
    }

    private void counters(String name, Map<String, double[]> topics, int index) {
        for (Counter c : registry.find(name).counters()) {
            String topic = c.getId().getTag("topic");
            if (topic != null && !topic.startsWith("__")) {
                topics.computeIfAbsent(topic, k -> new double[4])[index] = c.count();
            }
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
