package io.herald.server.group;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A subscribed consumer polling on its own thread. Tracks what it consumed and, through a shared ownership
 * map, checks that no partition is ever owned by two members at once (a violation is recorded, not thrown,
 * so the test sees it). {@link #abandon()} stops polling without closing, like a hung application.
 */
final class PollingConsumer implements AutoCloseable {
    final String name;
    final Set<String> consumed = ConcurrentHashMap.newKeySet();
    final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    final List<Collection<TopicPartition>> revocations = new CopyOnWriteArrayList<>();
    final List<Collection<TopicPartition>> assignments = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, String> owners;
    private final List<String> violations;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean running = true;
    private volatile boolean abandoned;
    private volatile boolean commitAfterPoll;

    PollingConsumer(String name, Supplier<KafkaConsumer<String, String>> factory, String topic,
                    Map<TopicPartition, String> owners, List<String> violations) {
        this.name = name;
        this.owners = owners;
        this.violations = violations;
        this.thread = new Thread(() -> run(factory, topic), "consumer-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    PollingConsumer commitAfterEachPoll() {
        commitAfterPoll = true;
        return this;
    }

    private void run(Supplier<KafkaConsumer<String, String>> factory, String topic) {
        try {
            consumer = factory.get();
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    revocations.add(List.copyOf(partitions));
                    release(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    release(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignments.add(List.copyOf(partitions));
                    for (TopicPartition tp : partitions) {
                        String previous = owners.putIfAbsent(tp, name);
                        if (previous != null && !previous.equals(name)) {
                            violations.add(tp + " assigned to " + name + " while owned by " + previous);
                        }
                        owned.add(tp);
                    }
                }
            });
            while (running) {
                if (abandoned) {
                    Thread.sleep(50);
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    consumed.add(r.value());
                }
                if (commitAfterPoll) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            violations.add(name + " failed: " + e);
        } finally {
            try {
                if (consumer != null && !abandoned) {
                    consumer.close(Duration.ofSeconds(5));
                }
            } finally {
                stopped.countDown();
            }
        }
    }

    private void release(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            owners.remove(tp, name);
            owned.remove(tp);
        }
    }

    /**
     * Stops polling without leaving the group (its session or poll interval must run out). A hung member
     * processes nothing, so it no longer counts as an owner; its rebalance callbacks would only run in poll().
     */
    void abandon() {
        abandoned = true;
        release(List.copyOf(owned));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null && !abandoned) {
            c.wakeup();
        }
        stopped.await(20, TimeUnit.SECONDS);
        if (abandoned && c != null) {
            c.close(Duration.ofSeconds(1));
        }
    }
}
