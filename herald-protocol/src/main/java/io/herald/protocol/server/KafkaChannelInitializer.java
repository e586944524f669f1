package io.herald.protocol.server;

import io.herald.protocol.ApiRegistry;
import io.herald.protocol.RequestObserver;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.codec.KafkaFrameDecoder;
import io.herald.protocol.codec.MalformedRequestLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Builds a connection's pipeline: idle timeout → frame decoder → request dispatcher. Responses
 * are written by the dispatcher straight to the transport (ByteBufs and FileRegions).
 *
 * <p>Thread-safe (stateless apart from its immutable configuration).
 */
public final class KafkaChannelInitializer extends ChannelInitializer<Channel> {

    public static final String IDLE_HANDLER = "idle";
    public static final String FRAME_DECODER = "frameDecoder";
    public static final String DISPATCHER = "dispatcher";

    private final ServerConfig config;
    private final ApiRegistry registry;
    private final LongSupplier nanoClock;
    private final Consumer<Channel> onChannel;
    private final MalformedRequestLog malformed;
    private final RequestObserver observer;

    /**
     * {@code onChannel} sees every new connection (the server tracks them for shutdown); {@code malformed} is the
     * listener's one rate-limited log of connections closed for malformed requests.
     */
    public KafkaChannelInitializer(ServerConfig config, ApiRegistry registry, LongSupplier nanoClock,
                                   Consumer<Channel> onChannel, MalformedRequestLog malformed) {
        this(config, registry, nanoClock, onChannel, malformed, RequestObserver.NONE);
    }

    /** As above, with {@code observer} told of every request finished (metrics). */
    public KafkaChannelInitializer(ServerConfig config, ApiRegistry registry, LongSupplier nanoClock,
                                   Consumer<Channel> onChannel, MalformedRequestLog malformed,
                                   RequestObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.onChannel = Objects.requireNonNull(onChannel, "onChannel");
        this.malformed = Objects.requireNonNull(malformed, "malformed");
    }

    @Override
    protected void initChannel(Channel channel) {
        configure(channel.pipeline(), config, registry, nanoClock, malformed, observer);
        onChannel.accept(channel);
    }

    /** Installs the Kafka handlers into {@code pipeline}, with a log of malformed requests of its own (tests). */
    public static void configure(ChannelPipeline pipeline, ServerConfig config, ApiRegistry registry,
                                 LongSupplier nanoClock) {
        configure(pipeline, config, registry, nanoClock, new MalformedRequestLog(io.herald.common.time.Time.SYSTEM));
    }

    /** Installs the Kafka handlers into {@code pipeline}; also used by tests on an EmbeddedChannel. */
    public static void configure(ChannelPipeline pipeline, ServerConfig config, ApiRegistry registry,
                                 LongSupplier nanoClock, MalformedRequestLog malformed) {
        configure(pipeline, config, registry, nanoClock, malformed, RequestObserver.NONE);
    }

    private static void configure(ChannelPipeline pipeline, ServerConfig config, ApiRegistry registry,
                                  LongSupplier nanoClock, MalformedRequestLog malformed, RequestObserver observer) {
        if (config.connectionsMaxIdleMs() > 0) {
            pipeline.addLast(IDLE_HANDLER, new IdleStateHandler(0, 0, config.connectionsMaxIdleMs(), TimeUnit.MILLISECONDS));
        }
        pipeline.addLast(FRAME_DECODER, new KafkaFrameDecoder(config.maxRequestBytes(), malformed));
        pipeline.addLast(DISPATCHER, new RequestDispatcher(registry, nanoClock, malformed, observer));
    }
}
