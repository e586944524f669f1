package io.herald.metadata.quorum.raft;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis configuration of a metadata quorum member, derived from {@link RaftQuorumSettings}. Everything Herald
 * chooses about Ratis is here, with the reason when it departs from Ratis' default.
 *
 * <p>Stateless.
 */
final class RatisProperties {
    /** Pause between two attempts of a client request that found no leader. */
    private static final TimeDuration CLIENT_RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);
    /** A group of one has nobody to split the vote with: it elects itself almost at once on start. */
    private static final TimeDuration SINGLE_VOTER_FIRST_ELECTION_MIN = TimeDuration.valueOf(5, TimeUnit.MILLISECONDS);
    private static final TimeDuration SINGLE_VOTER_FIRST_ELECTION_MAX = TimeDuration.valueOf(20, TimeUnit.MILLISECONDS);

    private RatisProperties() {}

    /** Properties of the Ratis server of one member. */
    static RaftProperties server(RaftQuorumSettings settings, InetSocketAddress listen, Path storageDir,
                                 boolean singleVoter) {
        RaftProperties properties = common(settings);
        GrpcConfigKeys.Server.setHost(properties, listen.getHostString());
        GrpcConfigKeys.Server.setPort(properties, listen.getPort());
        RaftServerConfigKeys.setStorageDir(properties, List.of(storageDir.toFile()));
        // Ratis' default is under /tmp; a group is only ever removed by an admin command, never by Herald.
        RaftServerConfigKeys.setRemovedGroupsDir(properties, storageDir.resolve("removed-groups").toFile());

        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, duration(settings.electionTimeoutMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, duration(settings.electionTimeoutMax()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties, duration(settings.requestTimeout()));
        if (singleVoter) {
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, SINGLE_VOTER_FIRST_ELECTION_MIN);
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, SINGLE_VOTER_FIRST_ELECTION_MAX);
        }

        // Snapshots: every snapshotThreshold entries, keeping the last two; never on shutdown, so that a restart
        // replays the log after the last periodic snapshot (cheap for metadata, and one code path for restart
        // and crash).
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, settings.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(properties, false);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        // Purge the log after each snapshot (Ratis' default gap is 1024 entries), but only up to what every
        // member has committed (purge-upto-snapshot-index stays false): a member that is merely restarting
        // catches up from the log; one that is too far behind gets the snapshot installed by the leader.
        RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(Integer.MAX_VALUE, settings.snapshotThreshold()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(settings.logSegmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties,
                SizeInBytes.valueOf(Math.min(settings.logSegmentBytes(), 4L << 20)));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(properties, true);
        // A leader's appender sleeps after each failed exchange with a follower. Ratis' default backs off to 5 s,
        // far past the heartbeat interval (electionTimeoutMin / 2); the gRPC appender then finds a heartbeat
        // overdue every time it wakes and sends only heartbeats, so a follower that answers them with "my log is
        // behind" (one restarted on a wiped directory) never gets the entries or the snapshot it needs. Keeping
        // the sleep well under the heartbeat interval avoids that; the cost is one cheap, failing attempt per
        // sleep while a follower is down.
        long errorSleepMs = Math.max(10, settings.electionTimeoutMin().toMillis() / 10);
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(properties, "1ms,10, " + errorSleepMs + "ms,1000000");
        return properties;
    }

    /** Properties of a member's client (append and askLeader go through it). */
    static RaftProperties client(RaftQuorumSettings settings) {
        RaftProperties properties = common(settings);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, duration(settings.requestTimeout()));
        // The ordered async client blocks the caller once this many requests are outstanding; metadata writes
        // are few, so this is a safety bound, not a throttle.
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties, 1024);
        // Ratis' "dummy watch request to establish the connection" is a workaround not needed with gRPC.
        RaftClientConfigKeys.Async.Experimental.setSendDummyRequest(properties, false);
        return properties;
    }

    /**
     * The objects Ratis takes beside its properties: with {@link RaftQuorumSettings#tls()}, the TLS configuration of
     * the gRPC server, of its connections to the other voters and of the client (one for all three), and on a
     * mutual-TLS server the {@link PeerCheck} of every call.
     *
     * @param server whether these are for a voter's server (which must have a certificate to serve TLS)
     */
    static Parameters parameters(RaftQuorumSettings settings, boolean server) {
        Parameters parameters = new Parameters();
        settings.tls().ifPresent(tls -> {
            if (server && tls.keyManagers().isEmpty()) {
                throw new IllegalArgumentException("a TLS controller listener needs this controller's key store "
                        + "(ssl.keystore.*)");
            }
            GrpcTlsConfig.Builder builder = GrpcTlsConfig.newBuilder()
                    .setName("herald-quorum")
                    .setTrustManager(tls.trustManager())
                    .setMutualTls(tls.mutual());
            tls.keyManagers().ifPresent(keys -> builder.setKeyManager(keys[0]));
            if (!tls.protocols().isEmpty()) {
                builder.setProtocols(tls.protocols());
            }
            if (!tls.cipherSuites().isEmpty()) {
                builder.setCipherSuites(tls.cipherSuites());
            }
            GrpcConfigKeys.TLS.setConf(parameters, builder.build());
            if (server && tls.mutual()) {
                PeerCheck check = new PeerCheck(tls.admitsPeer());
                GrpcConfigKeys.Server.setServicesCustomizer(parameters, (netty, types) -> netty.intercept(check));
            }
        });
        return parameters;
    }

    /**
     * Retries every kind of client request (no leader, leader not ready, leader changed, member unreachable,
     * attempt timed out) every 100 ms until {@code noLeaderTimeout} has passed since the request was made, then
     * fails it with Ratis' {@code RaftRetryFailureException}.
     */
    static RetryPolicy clientRetryPolicy(RaftQuorumSettings settings) {
        RequestTypeDependentRetryPolicy.Builder builder = RequestTypeDependentRetryPolicy.newBuilder();
        TimeDuration timeout = duration(settings.noLeaderTimeout());
        for (TypeCase type : TypeCase.values()) {
            // Ratis' fallback for a type without a policy is "retry forever without sleeping": cover every type.
            builder.setRetryPolicy(type, RetryPolicies.retryForeverWithSleep(CLIENT_RETRY_SLEEP));
            builder.setTimeout(type, timeout);
        }
        return builder.build();
    }

    private static RaftProperties common(RaftQuorumSettings settings) {
        RaftProperties properties = new RaftProperties();
        // gRPC rather than Ratis' Netty transport: the Netty server runs each client request to completion on
        // its event-loop thread (blocking until the entry is applied), so a leader-side answer that waits for
        // another request on the same loop would stall it; the gRPC server handles client requests
        // asynchronously and streams appends to followers. Both need only ratis-thirdparty-misc.
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        return properties;
    }

    private static TimeDuration duration(Duration duration) {
        return TimeDuration.valueOf(duration.toMillis(), TimeUnit.MILLISECONDS);
    }
}
