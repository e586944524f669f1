package io.herald.protocol;

import io.herald.protocol.codec.MalformedRequestLog;
import io.herald.protocol.server.ConnectionQuotas;
import io.herald.protocol.server.KafkaChannelInitializer;
import io.herald.protocol.server.RequestDispatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listeners: one acceptor thread and N event-loop threads shared by every listener (NIO transport, so
 * fetch responses go out with FileChannel.transferTo / sendfile, except through TLS).
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} (idempotent). Starting freezes the
 * {@link ApiRegistry}. {@code start} and {@code close} are for the owning thread; {@link #boundPort()}
 * is safe from any thread after {@code start} returns.
 */
public final class KafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    /** How long close() lets in-flight requests finish before closing connections regardless. */
    private static final long DRAIN_TIMEOUT_MS = 5_000;

    private final ServerConfig config;
    private final ApiRegistry registry;
    private final RequestObserver observer;
    private final ChannelGroup connections = new DefaultChannelGroup("herald-connections", GlobalEventExecutor.INSTANCE);

    private static final long SUMMARY_CHECK_MS = 10_000;
    private final MalformedRequestLog malformed = new MalformedRequestLog(io.herald.common.time.Time.SYSTEM);
    private final ConnectionQuotas quotas;
    private EventLoopGroup acceptorGroup;
    private EventLoopGroup ioGroup;
    /** The bound listeners by name, in configuration order; set once by start(). */
    private volatile Map<String, Channel> serverChannels = Map.of();
    private boolean started;
    private boolean closed;

    public KafkaServer(ServerConfig config, ApiRegistry registry) {
        this(config, registry, RequestObserver.NONE);
    }

    /** A listener whose finished requests {@code observer} sees (request metrics). */
    public KafkaServer(ServerConfig config, ApiRegistry registry, RequestObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.quotas = new ConnectionQuotas(config.connectionLimits(), System::nanoTime, registry::ipConnectionQuota);
    }

    /** Binds the listener. */
    public synchronized void start() throws InterruptedException {
        if (started) {
            throw new IllegalStateException("server already started");
        }
        started = true;
        registry.freeze();
        acceptorGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herald-acceptor"), NioIoHandler.newFactory());
        ioGroup = new MultiThreadIoEventLoopGroup(config.effectiveIoThreads(), new DefaultThreadFactory("herald-network"),
            NioIoHandler.newFactory());
        // The summary of a minute with suppressed lines comes even if no bad connection follows it.
        ioGroup.next().scheduleAtFixedRate(malformed::maybeLogSummary, SUMMARY_CHECK_MS, SUMMARY_CHECK_MS,
            TimeUnit.MILLISECONDS);
        Map<String, Channel> bound = new LinkedHashMap<>();
        try {
            for (ListenerConfig listener : config.listeners()) {
                Channel channel = bootstrap(listener).bind(listener.host(), listener.port()).sync().channel();
                bound.put(listener.name(), channel);
                quotas.addServer(listener.name(), channel);
                log.info("Listening for Kafka clients on {} ({} listener {})", channel.localAddress(),
                    listener.security().protocol(), listener.name());
            }
        } catch (InterruptedException | RuntimeException e) {
            bound.values().forEach(c -> c.close().awaitUninterruptibly());
            shutdownLoops();
            throw e;
        }
        serverChannels = Map.copyOf(bound);
    }

    private ServerBootstrap bootstrap(ListenerConfig listener) {
        return new ServerBootstrap()
            .group(acceptorGroup, ioGroup)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new KafkaChannelInitializer(config, listener, registry, System::nanoTime, connections::add,
                malformed, observer, quotas));
    }

    /** The server's connection accounting (counts of throttled and paused accepts, for metrics and tests). */
    public ConnectionQuotas connectionQuotas() {
        return quotas;
    }

    /** The connections the listeners hold now. */
    public int connections() {
        return quotas.connections();
    }

    /** The port the first listener is bound to (the ephemeral one if the configured port is 0). */
    public int boundPort() {
        return boundPort(config.listeners().getFirst().name());
    }

    /** The port listener {@code name} is bound to (the ephemeral one if the configured port is 0). */
    public int boundPort(String name) {
        Channel channel = serverChannels.get(name);
        if (channel == null) {
            throw new IllegalStateException(serverChannels.isEmpty() ? "server not started"
                : "no listener " + name + " (listeners: " + serverChannels.keySet() + ")");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Stops accepting, lets each connection finish its in-flight request (bounded by a few seconds),
     * closes the connections and shuts the event loops down.
     */
    @Override
    public synchronized void close() {
        if (closed || !started) {
            closed = true;
            return;
        }
        closed = true;
        serverChannels.values().forEach(channel -> channel.close().awaitUninterruptibly());
        connections.forEach(c -> c.pipeline().fireUserEventTriggered(RequestDispatcher.DRAIN_AND_CLOSE));
        if (!connections.newCloseFuture().awaitUninterruptibly(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            log.warn("{} connections still busy after {} ms; closing them", connections.size(), DRAIN_TIMEOUT_MS);
        }
        connections.close().awaitUninterruptibly();
        shutdownLoops();
        log.info("Kafka listener closed");
    }

    private void shutdownLoops() {
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        acceptorGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
