package io.herald.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Raw requests at old and new versions: the fields each version carries, and Kafka's errors. */
@Timeout(60)
class GroupProtocolVersionsTest {
    @TempDir
    Path dir;
    private int correlation;

    private AbstractResponse send(Socket socket, AbstractRequest request) throws Exception {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw", ++correlation);
        ByteBuffer bytes = request.serializeWithHeader(header);
        OutputStream out = socket.getOutputStream();
        byte[] frame = new byte[bytes.remaining()];
        bytes.get(frame);
        out.write(ByteBuffer.allocate(4).putInt(frame.length).array());
        out.write(frame);
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    private FindCoordinatorResponseData findCoordinator(Socket s, String key, short version) throws Exception {
        return ((FindCoordinatorResponse) send(s, new FindCoordinatorRequest.Builder(
                new FindCoordinatorRequestData().setKey(key).setKeyType((byte) 0)).build(version))).data();
    }

    /**
     * Waits until the groups are served: FindCoordinator names a coordinator (the first one creates
     * __consumer_offsets) and their partitions are loaded (OffsetFetch no longer says loading).
     */
    private void awaitServed(Socket s, String... groups) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            boolean served = true;
            for (String g : groups) {
                served &= findCoordinator(s, g, (short) 3).errorCode() == Errors.NONE.code();
            }
            if (served) {
                List<OffsetFetchRequestData.OffsetFetchRequestGroup> fetch = new java.util.ArrayList<>();
                for (String g : groups) {
                    fetch.add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(g).setTopics(null));
                }
                var r = (OffsetFetchResponse) send(s, OffsetFetchRequest.Builder.forTopicNames(
                        new OffsetFetchRequestData().setGroups(fetch), false).build((short) 8));
                if (r.data().groups().stream().allMatch(g -> g.errorCode() == Errors.NONE.code())) {
                    return;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("groups " + List.of(groups) + " not served within 30 s");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void findCoordinatorSingleAndBatchedKeys() throws Exception {
        try (GroupTestBroker broker = new GroupTestBroker(dir); Socket s = new Socket("127.0.0.1", broker.port())) {
            // Before __consumer_offsets exists the first lookup creates it: "not available" until it has a leader.
            FindCoordinatorResponseData first = findCoordinator(s, "g", (short) 3);
            assertThat(Errors.forCode(first.errorCode())).isIn(Errors.NONE, Errors.COORDINATOR_NOT_AVAILABLE);
            awaitServed(s, "g");
            FindCoordinatorResponseData v3 = findCoordinator(s, "g", (short) 3);
            assertThat(v3.errorCode()).isZero();
            assertThat(v3.port()).isEqualTo(broker.port());
            var v0 = (FindCoordinatorResponse) send(s, new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKey("g")).build((short) 0));
            assertThat(v0.data().nodeId()).isEqualTo(1);

            var batched = (FindCoordinatorResponse) send(s, new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of("a", "b")))
                    .build((short) 6));
            assertThat(batched.data().coordinators()).extracting(FindCoordinatorResponseData.Coordinator::key)
                    .containsExactly("a", "b");
            assertThat(batched.data().coordinators()).allSatisfy(c -> {
                assertThat(c.errorCode()).isZero();
                assertThat(c.port()).isEqualTo(broker.port());
            });
            var txn = (FindCoordinatorResponse) send(s, new FindCoordinatorRequest.Builder(
                    new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("tx")))
                    .build((short) 4));
            assertThat(txn.data().coordinators().get(0).errorCode())
                    .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
    }

    @Test
    void oldAndNewJoinGroupVersions() throws Exception {
        try (GroupTestBroker broker = new GroupTestBroker(dir); Socket s = new Socket("127.0.0.1", broker.port())) {
            awaitServed(s, "old", "new");
            JoinGroupRequestData join = new JoinGroupRequestData().setGroupId("old").setMemberId("")
                    .setProtocolType("consumer").setSessionTimeoutMs(10_000);
            join.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                    .setMetadata(new byte[0]));
            // v0: no MEMBER_ID_REQUIRED round trip, the join completes directly
            var v0 = (JoinGroupResponse) send(s, new JoinGroupRequest.Builder(join).build((short) 0));
            assertThat(v0.data().errorCode()).isZero();
            assertThat(v0.data().generationId()).isEqualTo(1);
            assertThat(v0.data().leader()).isEqualTo(v0.data().memberId());

            var v9 = (JoinGroupResponse) send(s, new JoinGroupRequest.Builder(join.duplicate().setGroupId("new")
                    .setRebalanceTimeoutMs(10_000)).build((short) 9));
            assertThat(Errors.forCode(v9.data().errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            var empty = (JoinGroupResponse) send(s, new JoinGroupRequest.Builder(join.duplicate().setGroupId(""))
                    .build((short) 5));
            assertThat(Errors.forCode(empty.data().errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
            JoinGroupResponseData data = empty.data();
            assertThat(data.protocolName()).isEmpty();

            var hb = (HeartbeatResponse) send(s, new HeartbeatRequest.Builder(new HeartbeatRequestData()
                    .setGroupId("old").setMemberId(v0.data().memberId()).setGenerationId(1)).build((short) 0));
            assertThat(Errors.forCode(hb.data().errorCode())).isEqualTo(Errors.NONE);

            var fetchV1 = (OffsetFetchResponse) send(s, OffsetFetchRequest.Builder.forTopicNames(new OffsetFetchRequestData()
                    .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("old")
                            .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                    .setName("t").setPartitionIndexes(List.of(0)))))), false).build((short) 1));
            OffsetFetchResponseData.OffsetFetchResponsePartition p = fetchV1.data().topics().get(0).partitions().get(0);
            assertThat(p.committedOffset()).isEqualTo(-1);
            assertThat(p.errorCode()).isZero();
            assertThat(ApiKeys.OFFSET_FETCH.latestVersion()).isGreaterThanOrEqualTo((short) 8);
        }
    }
}
