package io.herald.http.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one connection's aggregated requests: looks the route up on the event loop, runs the endpoint on the
 * worker pool and writes the reply back on the loop. A request that is not HTTP (a decoder failure) gets 400
 * and the connection closes; an endpoint that throws answers 500.
 *
 * <p>Event-loop confined apart from the endpoint's run on {@code workers}.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

    private final Router router;
    private final Executor workers;
    private final Executor streams;

    /** @param streams runs event streams, one thread each, so they never hold a worker */
    HttpRequestHandler(Router router, Executor workers, Executor streams) {
        this.router = router;
        this.workers = workers;
        this.streams = streams;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            write(ctx, HttpReply.error(400, "Malformed HTTP request"), false, false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8);
        String method = request.method().name();
        Router.Lookup lookup = router.lookup(method, uri.path());
        if (lookup.match().isEmpty()) {
            write(ctx, lookup.pathKnown() ? HttpReply.error(405, "Method " + method + " not allowed on " + uri.path())
                    : HttpReply.error(404, "No such resource: " + uri.path()), keepAlive, false);
            return;
        }
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
        byte[] body = new byte[request.content().readableBytes()];
        request.content().readBytes(body);
        Router.Match match = lookup.match().get();
        HttpCall call = new HttpCall(method, uri.path(), match.pathParams(), uri.parameters(), headers, body);
        boolean head = "HEAD".equals(method);
        if (match.stream() != null) {
            try {
                streams.execute(() -> stream(ctx, match.stream(), call, keepAlive));
            } catch (RejectedExecutionException e) {
                write(ctx, HttpReply.error(503, "Too many event streams open"), false, false);
            }
            return;
        }
        try {
            workers.execute(() -> {
                HttpReply reply = run(match.endpoint(), call);
                ctx.executor().execute(() -> write(ctx, reply, keepAlive, head));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, HttpReply.error(503, "The HTTP listener is busy or shutting down"), false, false);
        }
    }

    private static void stream(ChannelHandlerContext ctx, StreamEndpoint endpoint, HttpCall call, boolean keepAlive) {
        StreamEndpoint.Opening opening;
        try {
            opening = endpoint.open(call);
        } catch (Exception | Error e) {
            log.warn("HTTP stream {} failed to open", call.path(), e);
            opening = new StreamEndpoint.Opening.Refused(HttpReply.error(500, String.valueOf(e.getMessage())));
        }
        switch (opening) {
            case StreamEndpoint.Opening.Refused refused ->
                    ctx.executor().execute(() -> write(ctx, refused.reply(), keepAlive, false));
            case StreamEndpoint.Opening.Accepted accepted -> {
                ChannelEventStream events = new ChannelEventStream(ctx.channel());
                events.start();
                try {
                    accepted.stream().run(events);
                } catch (Exception | Error e) {
                    log.warn("HTTP stream {} failed", call.path(), e);
                } finally {
                    events.finish();
                }
            }
        }
    }

    private static HttpReply run(HttpEndpoint endpoint, HttpCall call) {
        try {
            return endpoint.handle(call);
        } catch (Exception | Error e) {
            log.warn("HTTP {} {} failed", call.method(), call.path(), e);
            return HttpReply.error(500, String.valueOf(e.getMessage()));
        }
    }

    private static void write(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        reply.headers().forEach(response.headers()::set);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Closing HTTP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
