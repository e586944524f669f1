package io.herald.http.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 listener on Netty's codec, with its own event loop (one thread, so HTTP traffic never runs on
 * the Kafka listener's loops) and a small worker pool for the endpoints, which may wait. Request bodies are
 * limited to {@link #MAX_BODY_BYTES}; idle connections close after a minute.
 *
 * <p>Lifecycle: {@link #start} once, then {@link #close} (idempotent). Thread-safe.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** The largest request body accepted (a produce of records through the REST API); larger ones get 413. */
    public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final int WORKERS = 2;
    private static final int QUEUED_CALLS = 256;
    private static final int IDLE_SECONDS = 60;
    /** Event streams open at once; one more is answered 503. */
    public static final int MAX_STREAMS = 16;

    private final String host;
    private final int port;
    private final Router router;
    private final Optional<SslContext> tls;
    private EventLoopGroup loop;
    private ExecutorService workers;
    private ExecutorService streams;
    private volatile Channel channel;
    private boolean closed;

    public HttpServer(String host, int port, Router router) {
        this(host, port, router, Optional.empty());
    }

    /** A server that speaks HTTPS with {@code tls} when present. */
    public HttpServer(String host, int port, Router router, Optional<SslContext> tls) {
        this.host = host;
        this.port = port;
        this.router = router;
        this.tls = tls;
    }

    /** Binds the listener; a failure to bind (port in use) throws and leaves nothing running. */
    public synchronized void start() throws InterruptedException {
        if (loop != null) {
            throw new IllegalStateException("HTTP server already started");
        }
        loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("herald-http"), NioIoHandler.newFactory());
        workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(QUEUED_CALLS), new DefaultThreadFactory("herald-http-worker", true));
        streams = new ThreadPoolExecutor(0, MAX_STREAMS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new DefaultThreadFactory("herald-http-stream", true));
        ServerBootstrap bootstrap = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls.ifPresent(context -> ch.pipeline().addLast(context.newHandler(ch.alloc())));
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS) {
                            @Override
                            protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx,
                                                       io.netty.handler.timeout.IdleStateEvent evt) {
                                ctx.close();
                            }
                        });
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(MAX_BODY_BYTES));
                        ch.pipeline().addLast(new HttpRequestHandler(router, workers, streams));
                    }
                });
        try {
            channel = bootstrap.bind(host, port).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            shutdown();
            throw e;
        }
        log.info("Listening for HTTP on {}://{}:{}", tls.isPresent() ? "https" : "http", host, boundPort());
    }

    /** The bound port (the chosen one when configured with 0). */
    public int boundPort() {
        Channel c = channel;
        if (c == null) {
            throw new IllegalStateException("HTTP server not started");
        }
        return ((InetSocketAddress) c.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        if (closed || loop == null) {
            closed = true;
            return;
        }
        closed = true;
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly();
        }
        shutdown();
        log.info("HTTP listener closed");
    }

    private void shutdown() {
        workers.shutdownNow();
        streams.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
