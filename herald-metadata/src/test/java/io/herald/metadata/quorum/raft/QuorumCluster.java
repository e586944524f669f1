package io.herald.metadata.quorum.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.metadata.quorum.MetadataQuorum;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A metadata quorum of N members on loopback for tests: ports picked by binding ephemeral sockets, one storage
 * directory per member under a test's temporary directory, members stopped, restarted (same dir and port) or
 * wiped at will. {@link #close} stops whatever runs.
 *
 * <p>Not thread-safe: driven by the test thread.
 */
final class QuorumCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
    private final Path root;
    private final RaftQuorumSettings settings;
    private final Map<Integer, MetadataQuorum> running = new LinkedHashMap<>();
    private final Map<Integer, ToyMachine> machines = new LinkedHashMap<>();
    private final List<ToyMachine> everyMachine = new ArrayList<>();

    QuorumCluster(int size, Path root, RaftQuorumSettings settings) {
        this.root = root;
        this.settings = settings;
        for (int id = 1; id <= size; id++) {
            voters.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<Integer, InetSocketAddress> voters() {
        return voters;
    }

    Path dir(int id) {
        return root.resolve("node-" + id).resolve("raft");
    }

    /** Starts every member (in parallel, as a cluster boots) and waits for a leader. */
    QuorumCluster startAll() {
        List<Thread> starters = voters.keySet().stream()
                .map(id -> Thread.ofPlatform().start(() -> start(id)))
                .toList();
        for (Thread starter : starters) {
            try {
                starter.join(WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertThat(running).hasSize(voters.size());
        awaitLeader();
        return this;
    }

    /** Starts member {@code id} on its directory (whatever it holds) with a fresh machine. */
    ToyMachine start(int id) {
        ToyMachine machine = new ToyMachine(id);
        RaftMetadataQuorum quorum = new RaftMetadataQuorum(id, voters, dir(id), settings);
        try {
            quorum.start(machine);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            running.put(id, quorum);
            machines.put(id, machine);
            everyMachine.add(machine);
        }
        return machine;
    }

    /** Starts an observer (a node outside the voters) with a fresh machine; returns once it caught up. */
    ToyMachine startObserver(int id) {
        ToyMachine machine = new ToyMachine(id);
        ObserverMetadataQuorum observer = new ObserverMetadataQuorum(id, voters, settings);
        observer.start(machine);
        synchronized (this) {
            running.put(id, observer);
            machines.put(id, machine);
            everyMachine.add(machine);
        }
        return machine;
    }

    void stop(int id) throws IOException {
        MetadataQuorum quorum;
        synchronized (this) {
            quorum = running.remove(id);
        }
        quorum.close();
    }

    void wipe(int id) throws IOException {
        Path dir = dir(id);
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    synchronized MetadataQuorum member(int id) {
        MetadataQuorum quorum = running.get(id);
        assertThat(quorum).as("member %d running", id).isNotNull();
        return quorum;
    }

    synchronized ToyMachine machine(int id) {
        return machines.get(id);
    }

    synchronized List<Integer> runningIds() {
        return List.copyOf(running.keySet());
    }

    /** Waits until every running member (observers too) names the same leader, itself running; returns its id. */
    int awaitLeader() {
        int[] leader = new int[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            OptionalInt first = OptionalInt.empty();
            for (int id : runningIds()) {
                OptionalInt seen = member(id).leaderId();
                if (seen.isEmpty() || (first.isPresent() && first.getAsInt() != seen.getAsInt())) {
                    return false;
                }
                first = seen;
            }
            if (first.isEmpty() || !runningIds().contains(first.getAsInt())) {
                return false;
            }
            leader[0] = first.getAsInt();
            return true;
        });
        return leader[0];
    }

    int anyFollower(int leader) {
        return runningIds().stream().filter(id -> id != leader && voters.containsKey(id)).findFirst().orElseThrow();
    }

    /** Appends through member {@code via} and returns the reply as text. */
    String append(int via, String entry) throws Exception {
        byte[] reply = member(via).append(entry.getBytes(StandardCharsets.UTF_8))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return new String(reply, StandardCharsets.UTF_8);
    }

    /** Appends {@code count} entries {@code prefix-i} through member {@code via}, all in flight at once, and
     *  waits for every reply; returns the entries in append order. */
    List<String> appendMany(int via, String prefix, int count) throws Exception {
        List<String> entries = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<byte[]>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String entry = prefix + "-" + i;
            entries.add(entry);
            pending.add(member(via).append(entry.getBytes(StandardCharsets.UTF_8)));
        }
        for (var reply : pending) {
            reply.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        return entries;
    }

    /** Waits until every running member's state equals {@code expected}. */
    void awaitStates(List<String> expected) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            for (int id : runningIds()) {
                assertThat(machine(id).state()).as("state of node %d", id).isEqualTo(expected);
            }
        });
    }

    @Override
    public void close() {
        for (int id : runningIds()) {
            try {
                stop(id);
            } catch (IOException | RuntimeException e) {
                // best effort: a test already failed or the next close reports it
                e.printStackTrace();
            }
        }
        for (ToyMachine machine : everyMachine) {
            assertThat(machine.violations).as("contract violations seen by node %d", machine.nodeId()).isEmpty();
        }
    }
}
