package io.herald.protocol.server;

import io.herald.protocol.ApiHandler;
import io.herald.protocol.ApiRegistry;
import io.herald.protocol.ConnectionContext;
import io.herald.protocol.KafkaRequest;
import io.herald.protocol.RequestObserver;
import io.herald.protocol.RequestThrottle;
import io.herald.protocol.Response;
import io.herald.protocol.codec.MalformedRequestLog;
import io.herald.protocol.codec.RequestDecoder;
import io.herald.protocol.codec.ResponseEncoder;
import io.herald.protocol.security.SaslAuthenticator.Admission;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection's requests strictly one at a time, in arrival order.
 *
 * <p>Kafka mutes a channel from the moment it reads a request until the response has been sent;
 * that is what keeps a pipelined idempotent producer's batches in order (and what makes
 * responses leave in request order, which clients rely on to match correlation ids). We do the
 * same: frames that arrive while a request is in flight wait in a queue (and reading pauses via
 * autoRead), and the next frame is decoded and dispatched only once the previous handler's future
 * has completed and its response, if any, has been written to the socket.
 *
 * <p>Frames are decoded lazily, at dispatch: a garbage frame behind a good one still lets the good
 * one be answered before the connection closes, as with Kafka's muting.
 *
 * <p>On a SASL listener each decoded request first goes through the connection's {@link ConnectionSecurity}: until
 * the client has authenticated only ApiVersions, SaslHandshake and SaslAuthenticate get through, the last two
 * answered here; every request carries the connection's listener and principal.
 *
 * <p>Client quotas: every handler's answer goes through the registry's {@link RequestThrottle}, which may rewrite
 * it and may mute the connection for a throttle time once the answer is written. A muted connection reads and
 * dispatches nothing until the time is up, as Kafka's throttled channels (KIP-219).
 *
 * <p>Any handler failure (exception thrown, future completed exceptionally, response that cannot
 * be encoded) closes the connection: a handler bug must not wedge it.
 *
 * <p>Event-loop confined: every field is touched only on the channel's event loop; handler
 * futures completed on other threads hop back onto it.
 */
public final class RequestDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    /** Fired down a pipeline to drain it: finish the in-flight request, then close. */
    public static final Object DRAIN_AND_CLOSE = new Object() {
        @Override
        public String toString() {
            return "DRAIN_AND_CLOSE";
        }
    };

    private record PendingFrame(ByteBuffer payload, long receivedNanos) {
    }

    private final ApiRegistry registry;
    private final RequestDecoder decoder;
    private final LongSupplier nanoClock;
    private final MalformedRequestLog malformed;
    private final RequestObserver observer;
    private final ConnectionSecurity security;
    private final RequestThrottle throttle;
    private final ArrayDeque<PendingFrame> pending = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private InetSocketAddress clientAddress;
    /** A request has been dispatched and its response is not yet written. */
    private boolean inFlight;
    /** Guards against re-entering the dispatch loop from a synchronously completed future or write. */
    private boolean dispatching;
    /** No more requests are dispatched: the connection is closing or draining. */
    private boolean stopped;
    /** The connection is throttled (client quotas): no request is dispatched until the mute ends. */
    private boolean muted;

    /** A dispatcher that logs its closures for malformed requests on its own (tests). */
    public RequestDispatcher(ApiRegistry registry, LongSupplier nanoClock) {
        this(registry, nanoClock, new MalformedRequestLog(io.herald.common.time.Time.SYSTEM));
    }

    /** @param malformed the listener's shared, rate-limited log of closures for malformed requests */
    public RequestDispatcher(ApiRegistry registry, LongSupplier nanoClock, MalformedRequestLog malformed) {
        this(registry, nanoClock, malformed, RequestObserver.NONE);
    }

    /** @param observer told of every request finished on this connection (metrics) */
    public RequestDispatcher(ApiRegistry registry, LongSupplier nanoClock, MalformedRequestLog malformed,
                             RequestObserver observer) {
        this(registry, nanoClock, malformed, observer, ConnectionSecurity.plaintext(Integer.MAX_VALUE));
    }

    /** @param security the connection's listener, principal and, on a SASL listener, authentication */
    RequestDispatcher(ApiRegistry registry, LongSupplier nanoClock, MalformedRequestLog malformed,
                      RequestObserver observer, ConnectionSecurity security) {
        this.security = Objects.requireNonNull(security, "security");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.throttle = registry.throttle();
        this.decoder = new RequestDecoder(registry);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.malformed = Objects.requireNonNull(malformed, "malformed");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clientAddress = toInetAddress(ctx.channel().remoteAddress());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        clientAddress = toInetAddress(ctx.channel().remoteAddress());
        log.debug("Connection from {} accepted", clientAddress);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        log.debug("Connection from {} closed", clientAddress);
        stopped = true;
        pending.clear();
        if (clientAddress != null) {
            registry.connectionClosed(clientAddress);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuffer frame)) {
            ReferenceCountUtil.release(msg);
            throw new IllegalStateException("unexpected inbound message: " + msg.getClass().getName()
                + " (expected: ByteBuffer frame)");
        }
        if (stopped) {
            return;
        }
        pending.add(new PendingFrame(frame, nanoClock.getAsLong()));
        maybeDispatch();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            log.debug("Closing idle connection from {} (connections.max.idle.ms)", clientAddress);
            close();
        } else if (evt == DRAIN_AND_CLOSE) {
            stopped = true;
            pending.clear();
            if (!inFlight) {
                close();
            }
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            // A client that does not speak TLS, or whose certificate is not trusted: an expected failure.
            log.info("Failed authentication with {} on listener {} (SSL handshake failed: {})", clientAddress,
                security.listenerName(), tls.getMessage());
        } else {
            log.warn("Closing connection from {}: {}", clientAddress, cause.toString());
        }
        close();
    }

    /** Dispatches queued frames while no request is in flight; a trampoline, never recursive. */
    private void maybeDispatch() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (!inFlight && !stopped && !muted && !pending.isEmpty()) {
                dispatch(pending.poll());
            }
        } finally {
            dispatching = false;
        }
        // Backpressure: stop reading while requests wait; Netty may still deliver frames already
        // buffered, which queue up.
        ctx.channel().config().setAutoRead(!stopped && !inFlight && !muted && pending.isEmpty());
    }

    private void dispatch(PendingFrame frame) {
        Optional<ConnectionContext> connection = security.context(ctx.pipeline());
        if (connection.isEmpty()) {
            log.info("Failed authentication with {} on listener {} (no ssl.principal.mapping.rules rule matches "
                + "the client certificate's subject {})", clientAddress, security.listenerName(),
                ConnectionSecurity.subject(ctx.pipeline()));
            close();
            return;
        }
        RequestDecoder.Result result = decoder.decode(frame.payload(), clientAddress, frame.receivedNanos(),
            connection.get());
        if (result instanceof RequestDecoder.Result.Rejected rejected) {
            malformed.connectionClosed(clientAddress, "invalid request " + rejected.api() + ": " + rejected.reason());
            close();
            return;
        }
        KafkaRequest request = ((RequestDecoder.Result.Decoded) result).request();
        switch (security.admit(request, nanoClock.getAsLong(), ctx.pipeline())) {
            case Admission.Pass ignored -> {
            }
            case Admission.Answer answer -> {
                inFlight = true;
                // A failed authentication is answered, then the connection closes (once the answer is written).
                stopped |= answer.thenClose();
                onHandled(request, new Response.Send(answer.data()), null, -1);
                return;
            }
            case Admission.Refuse refuse -> {
                log.info("Closing connection from {} on listener {}: {}", clientAddress, security.listenerName(),
                    refuse.reason());
                close();
                return;
            }
        }
        // The decoder only lets registered APIs through.
        ApiHandler handler = registry.handler(request.apiKey()).orElseThrow();
        inFlight = true;
        CompletableFuture<Response> future;
        long started = nanoClock.getAsLong();
        try {
            future = Objects.requireNonNull(handler.handle(request), "handler returned a null future");
        } catch (RuntimeException e) {
            failHandler(request, e);
            return;
        }
        long handlerNanos = Math.max(0, nanoClock.getAsLong() - started);
        future.whenComplete((response, error) -> onEventLoop(() -> onHandled(request, response, error,
            handlerNanos)));
    }

    private void onEventLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            try {
                ctx.executor().execute(task);
            } catch (RejectedExecutionException e) {
                log.debug("Dropping response for {}: event loop shut down", clientAddress);
            }
        }
    }

    /**
     * @param handlerNanos the handler's time on the event loop, or -1 for an answer of the SASL authenticator, which
     *                     is not throttled
     */
    private void onHandled(KafkaRequest request, Response response, Throwable error, long handlerNanos) {
        if (!ctx.channel().isActive()) {
            inFlight = false;
            return;
        }
        if (error != null) {
            failHandler(request, error);
            return;
        }
        if (response == null) {
            failHandler(request, new NullPointerException("handler completed with a null response"));
            return;
        }
        int muteMs = 0;
        if (handlerNanos >= 0) {
            RequestThrottle.Throttled throttled;
            try {
                throttled = Objects.requireNonNull(throttle.apply(request, response, handlerNanos),
                    "throttle returned null");
            } catch (RuntimeException e) {
                failHandler(request, e);
                return;
            }
            response = throttled.response();
            muteMs = throttled.muteMs();
        }
        switch (response) {
            case Response.Send send -> write(request, send, muteMs);
            case Response.NoResponse ignored -> {
                observer.completed(request.apiKey(), nanoClock.getAsLong() - request.receivedNanos(), null);
                onResponseSent(muteMs);
            }
            case Response.Close close -> {
                observer.failed(request.apiKey(), nanoClock.getAsLong() - request.receivedNanos());
                log.info("Closing connection from {} after {} v{} (correlation id {}): {}", clientAddress,
                    request.apiKey(), request.apiVersion(), request.correlationId(), close.reason());
                close();
            }
        }
    }

    private void write(KafkaRequest request, Response.Send send, int muteMs) {
        List<Object> parts;
        try {
            parts = ResponseEncoder.encode(ctx.alloc(), request.apiKey(),
                request.body().version(), request.correlationId(), send.data());
        } catch (RuntimeException e) {
            failHandler(request, e);
            return;
        }
        int last = parts.size() - 1;
        for (int i = 0; i < last; i++) {
            ctx.write(parts.get(i), ctx.voidPromise());
        }
        ctx.writeAndFlush(parts.get(last)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                observer.completed(request.apiKey(), nanoClock.getAsLong() - request.receivedNanos(), send.data());
                onResponseSent(muteMs);
            } else {
                log.debug("Closing connection from {}: writing response failed: {}", clientAddress, f.cause().toString());
                close();
            }
        });
    }

    private void onResponseSent(int muteMs) {
        inFlight = false;
        if (stopped) {
            close();
        } else if (muteMs > 0) {
            mute(muteMs);
        } else {
            maybeDispatch();
        }
    }

    /** Reads and dispatches nothing for {@code muteMs}, then goes on with the queued frames. */
    private void mute(int muteMs) {
        muted = true;
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            muted = false;
            if (!stopped) {
                maybeDispatch();
            }
        }, muteMs, TimeUnit.MILLISECONDS);
    }

    private void failHandler(KafkaRequest request, Throwable error) {
        if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        observer.failed(request.apiKey(), nanoClock.getAsLong() - request.receivedNanos());
        log.error("Closing connection from {}: handler for {} v{} (correlation id {}) failed",
            clientAddress, request.apiKey(), request.apiVersion(), request.correlationId(), error);
        close();
    }

    private void close() {
        stopped = true;
        inFlight = false;
        pending.clear();
        ctx.close();
    }

    private static InetSocketAddress toInetAddress(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet;
        }
        return InetSocketAddress.createUnresolved(String.valueOf(address), 0);
    }
}
