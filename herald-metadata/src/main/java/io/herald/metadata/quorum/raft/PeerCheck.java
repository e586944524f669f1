package io.herald.metadata.quorum.raft;

import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quorum server's check of who calls it: every call on a mutual-TLS connection is let through only when
 * {@link QuorumTls#admitsPeer()} admits the subject of the peer's certificate; any other call is closed with
 * PERMISSION_DENIED. A refused subject is logged once per subject (a refused peer retries all the time).
 *
 * <p>Thread-safety: thread-safe; gRPC calls it on its transport threads.
 */
final class PeerCheck implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(PeerCheck.class);
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() { };
    /** Bounds the memory of {@link #refused} under a flood of distinct subjects. */
    private static final int MAX_LOGGED = 1024;

    private final Predicate<String> admits;
    private final ConcurrentHashMap<String, Boolean> refused = new ConcurrentHashMap<>();

    PeerCheck(Predicate<String> admits) {
        this.admits = Objects.requireNonNull(admits, "admits");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        String subject = subject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (subject != null && admits.test(subject)) {
            return next.startCall(call, headers);
        }
        String who = subject == null ? "a peer without a certificate" : subject;
        if (refused.size() < MAX_LOGGED && refused.putIfAbsent(who, Boolean.TRUE) == null) {
            SocketAddress from = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            log.warn("Controller listener: refused {} from {} (not admitted to the metadata quorum; further calls "
                    + "of it are refused without a log line)", who, from);
        }
        call.close(Status.PERMISSION_DENIED.withDescription("not admitted to the metadata quorum"), new Metadata());
        return (ServerCall.Listener<Q>) NOTHING;
    }

    private static String subject(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509
                    ? x509.getSubjectX500Principal().getName() : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
