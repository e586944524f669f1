package io.herald.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Asks one node, and only that node, for Metadata over a fresh connection: which brokers does it list? A
 * client library would route the request to whichever node it likes; the harness needs each node's own view
 * (a restarted broker is "back" only once it answers and every node lists it).
 *
 * <p>Stateless and thread-safe.
 */
final class MetadataProbe {

    /** Flexible Metadata version every Kafka 3.x/4.x client sends, so any broker Kafka clients work with answers it. */
    private static final short VERSION = 12;

    private MetadataProbe() {
    }

    /**
     * The broker ids {@code host:port} lists in a Metadata response (no topics asked for).
     *
     * @throws IOException when the node does not answer within {@code timeout} (not listening, paused, dead)
     */
    static Set<Integer> brokers(String host, int port, Duration timeout) throws IOException {
        MetadataResponse response = ask(host, port, new MetadataRequest.Builder(List.of(), false), timeout);
        Set<Integer> ids = new TreeSet<>();
        for (Node node : response.brokers()) {
            ids.add(node.id());
        }
        return ids;
    }

    /**
     * The topics {@code host:port} knows of (all topics asked for): what its own metadata image holds.
     *
     * @throws IOException when the node does not answer within {@code timeout} (not listening, paused, dead)
     */
    static Set<String> topics(String host, int port, Duration timeout) throws IOException {
        MetadataResponse response = ask(host, port, MetadataRequest.Builder.allTopics(), timeout);
        return new TreeSet<>(response.topicMetadata().stream().map(MetadataResponse.TopicMetadata::topic).toList());
    }

    /** One partition as a node's metadata image has it. */
    record PartitionView(int leader, int leaderEpoch, Set<Integer> isr) {
        /** It has a leader and every one of {@code replicas} is in sync. */
        boolean fullIsr(Set<Integer> replicas) {
            return leader >= 0 && isr.equals(replicas);
        }

        @Override
        public String toString() {
            return leader + "/" + leaderEpoch + "/" + isr;
        }
    }

    /**
     * How {@code host:port} sees each partition of {@code topic}, by partition index, from its own metadata image
     * (empty when it does not know the topic).
     *
     * @throws IOException when the node does not answer within {@code timeout} (not listening, paused, dead)
     */
    static Map<Integer, PartitionView> partitions(String host, int port, String topic, Duration timeout)
            throws IOException {
        MetadataResponse response = ask(host, port, new MetadataRequest.Builder(List.of(topic), false), timeout);
        Map<Integer, PartitionView> view = new TreeMap<>();
        for (MetadataResponse.TopicMetadata t : response.topicMetadata()) {
            for (MetadataResponse.PartitionMetadata p : t.partitionMetadata()) {
                view.put(p.partition(), new PartitionView(p.leaderId.orElse(-1), p.leaderEpoch.orElse(-1),
                        new TreeSet<>(p.inSyncReplicaIds)));
            }
        }
        return view;
    }

    private static MetadataResponse ask(String host, int port, MetadataRequest.Builder builder, Duration timeout)
            throws IOException {
        int timeoutMs = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            int correlationId = 1;
            MetadataRequest request = builder.build(VERSION);
            ByteBuffer frame = request.serializeWithHeader(
                    new RequestHeader(ApiKeys.METADATA, VERSION, "herald-cluster-harness", correlationId));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(frame.remaining());
            out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            out.flush();

            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size <= 0 || size > 64 * 1024 * 1024) {
                throw new IOException("bad Metadata response size " + size + " from " + host + ":" + port);
            }
            byte[] body = new byte[size];
            in.readFully(body);
            ByteBuffer buffer = ByteBuffer.wrap(body);
            ResponseHeader header = ResponseHeader.parse(buffer, ApiKeys.METADATA.responseHeaderVersion(VERSION));
            if (header.correlationId() != correlationId) {
                throw new IOException("correlation id " + header.correlationId() + " from " + host + ":" + port);
            }
            return MetadataResponse.parse(new ByteBufferAccessor(buffer), VERSION);
        }
    }
}
