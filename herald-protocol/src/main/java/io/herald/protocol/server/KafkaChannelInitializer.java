package io.herald.protocol.server;

import io.herald.protocol.ApiRegistry;
import io.herald.protocol.ListenerConfig;
import io.herald.protocol.RequestObserver;
import io.herald.protocol.ServerConfig;
import io.herald.protocol.codec.FileRegionCopier;
import io.herald.protocol.codec.KafkaFrameDecoder;
import io.herald.protocol.codec.MalformedRequestLog;
import io.herald.protocol.security.SaslAuthenticator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Builds a connection's pipeline: [TLS → file-region copier] → idle timeout → frame decoder → request dispatcher
 * (which runs the SASL exchange on a SASL listener). Responses are written by the dispatcher straight to the
 * transport (ByteBufs and FileRegions; on TLS the copier turns regions into buffers for the engine).
 *
 * <p>Thread-safe (stateless apart from its immutable configuration).
 */
public final class KafkaChannelInitializer extends ChannelInitializer<Channel> {

    public static final String TLS_HANDLER = "tls";
    public static final String FILE_REGION_COPIER = "fileRegionCopier";
    public static final String ACTIVITY_RECORDER = "activityRecorder";
    public static final String IDLE_HANDLER = "idle";
    public static final String FRAME_DECODER = "frameDecoder";
    public static final String DISPATCHER = "dispatcher";

    private final ServerConfig config;
    private final ListenerConfig listener;
    private final ApiRegistry registry;
    private final LongSupplier nanoClock;
    private final Consumer<Channel> onChannel;
    private final MalformedRequestLog malformed;
    private final RequestObserver observer;
    private final ConnectionQuotas quotas;

    /**
     * {@code onChannel} sees every new connection (the server tracks them for shutdown); {@code malformed} is the
     * listener's one rate-limited log of connections closed for malformed requests; {@code observer} is told of
     * every request finished (metrics); {@code quotas} counts the server's connections against its limits.
     */
    public KafkaChannelInitializer(ServerConfig config, ListenerConfig listener, ApiRegistry registry,
                                   LongSupplier nanoClock, Consumer<Channel> onChannel, MalformedRequestLog malformed,
                                   RequestObserver observer, ConnectionQuotas quotas) {
        this.quotas = Objects.requireNonNull(quotas, "quotas");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.onChannel = Objects.requireNonNull(onChannel, "onChannel");
        this.malformed = Objects.requireNonNull(malformed, "malformed");
    }

    @Override
    protected void initChannel(Channel channel) {
        ConnectionQuotas.Admission admission = quotas.admit(channel, listener.name());
        if (!admission.admitted()) {
            if (admission.closeAfterMs() > 0) {
                // Over its ip quota: the client waits the throttle time before it learns, as with Kafka.
                channel.config().setAutoRead(false);
                channel.eventLoop().schedule(() -> channel.close(), admission.closeAfterMs(), TimeUnit.MILLISECONDS);
            } else {
                channel.close();
            }
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (quotas.activityRecorder() != null) {
            pipeline.addLast(ACTIVITY_RECORDER, quotas.activityRecorder());
        }
        listener.security().tls().ifPresent(tls -> {
            pipeline.addLast(TLS_HANDLER, tls.newHandler(channel.alloc()));
            pipeline.addLast(FILE_REGION_COPIER, new FileRegionCopier());
        });
        configure(pipeline, config, listener, registry, nanoClock, malformed, observer);
        onChannel.accept(channel);
    }

    /** Installs the Kafka handlers of a PLAINTEXT listener into {@code pipeline} (tests, on an EmbeddedChannel). */
    public static void configure(ChannelPipeline pipeline, ServerConfig config, ApiRegistry registry,
                                 LongSupplier nanoClock) {
        configure(pipeline, config, config.listeners().getFirst(), registry, nanoClock,
                new MalformedRequestLog(io.herald.common.time.Time.SYSTEM), RequestObserver.NONE);
    }

    /**
     * Installs the Kafka handlers (not TLS) of {@code listener} into {@code pipeline}; also used by tests on an
     * EmbeddedChannel.
     */
    public static void configure(ChannelPipeline pipeline, ServerConfig config, ListenerConfig listener,
                                 ApiRegistry registry, LongSupplier nanoClock, MalformedRequestLog malformed,
                                 RequestObserver observer) {
        if (config.connectionsMaxIdleMs() > 0) {
            pipeline.addLast(IDLE_HANDLER, new IdleStateHandler(0, 0, config.connectionsMaxIdleMs(),
                    TimeUnit.MILLISECONDS));
        }
        SaslAuthenticator sasl = listener.security().sasl().map(SaslAuthenticator::new).orElse(null);
        KafkaFrameDecoder frames = new KafkaFrameDecoder(config.maxRequestBytes(), malformed);
        if (sasl != null) {
            frames.maxFrameBytes(sasl.maxFrameBytes(config.maxRequestBytes()), sasl.frameLimitSetting());
        }
        pipeline.addLast(FRAME_DECODER, frames);
        pipeline.addLast(DISPATCHER, new RequestDispatcher(registry, nanoClock, malformed, observer,
                new ConnectionSecurity(listener, sasl, config.maxRequestBytes())));
    }
}
