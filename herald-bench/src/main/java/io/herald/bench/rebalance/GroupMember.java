package io.herald.bench.rebalance;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One group member of {@link RebalanceAfterKill}, run as its own JVM so that it can be killed with SIGKILL:
 * {@code GroupMember <bootstrap> <group> <topic> <classic|consumer>}. It subscribes and polls (100 ms) until
 * killed, printing one line per change of the partitions it owns to stdout:
 * {@code ASSIGNED <epochMillis> <comma-separated partitions>} (an empty list when it owns none). A fatal error
 * is printed as {@code ERROR <epochMillis> <exception>} and the process exits with code 1.
 *
 * <p>The owned set is tracked as previous − revoked − lost + assigned, which is right for both kinds of
 * callbacks: the eager classic protocol (RangeAssignor) revokes everything and then hands over the full new
 * assignment, while the consumer protocol (KIP-848) and cooperative assignors pass only the differences.
 */
public final class GroupMember {
    static final int SESSION_TIMEOUT_MS = 10_000;
    static final int HEARTBEAT_INTERVAL_MS = 1_000;
    static final int MAX_POLL_INTERVAL_MS = 300_000;
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private GroupMember() {
    }

    public static void main(String[] args) {
        if (args.length != 4 || !(args[3].equals("classic") || args[3].equals("consumer"))) {
            System.err.println("usage: GroupMember <bootstrap> <group> <topic> <classic|consumer>");
            System.exit(2);
        }
        PrintStream out = System.out;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config(args[0], args[1], args[3]))) {
            consumer.subscribe(List.of(args[2]), new OwnedSetPrinter(out));
            while (true) {
                consumer.poll(POLL_TIMEOUT);
            }
        } catch (Throwable t) {
            out.println("ERROR " + System.currentTimeMillis() + " " + t);
            out.flush();
            System.exit(1);
        }
    }

    /** The client settings, the same for both brokers (with the consumer protocol the broker owns the timeouts). */
    static Properties config(String bootstrap, String group, String protocol) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_POLL_INTERVAL_MS);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        }
        return props;
    }

    /** Runs on the polling thread (rebalance callbacks are invoked from poll), so needs no synchronization. */
    private static final class OwnedSetPrinter implements ConsumerRebalanceListener {
        private final PrintStream out;
        private final TreeSet<Integer> owned = new TreeSet<>();
        private boolean printedOnce;

        OwnedSetPrinter(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            change(partitions, false);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            change(partitions, false);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            change(partitions, true);
        }

        private void change(Collection<TopicPartition> partitions, boolean add) {
            long now = System.currentTimeMillis();
            boolean changed = false;
            for (TopicPartition tp : partitions) {
                changed |= add ? owned.add(tp.partition()) : owned.remove(tp.partition());
            }
            if (changed || !printedOnce) {
                printedOnce = true;
                out.println("ASSIGNED " + now + " " + owned.stream().map(String::valueOf).collect(Collectors.joining(",")));
                out.flush();
            }
        }
    }
}
