package io.herald.http.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * An event stream on a channel: a chunked {@code text/event-stream} response whose chunks are events. Written
 * from the stream's thread (Netty hands the writes to the event loop); a client that does not read makes
 * {@link #send} wait until the channel is writable again, so a slow reader slows its stream, not the broker.
 * The connection closes when the stream ends.
 */
final class ChannelEventStream implements EventStream {
    private static final long WRITABLE_POLL_MS = 10;

    private final Channel channel;

    ChannelEventStream(Channel channel) {
        this.channel = channel;
    }

    /** Writes the response head. */
    void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.writeAndFlush(head);
    }

    @Override
    public boolean send(String id, String event, String data) {
        StringBuilder text = new StringBuilder();
        if (id != null) {
            text.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            text.append("event: ").append(event).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            text.append("data: ").append(line).append('\n');
        }
        text.append('\n');
        while (channel.isActive() && !channel.isWritable()) {
            try {
                Thread.sleep(WRITABLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (!channel.isActive()) {
            return false;
        }
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        return true;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    /** Ends the response and closes the connection. */
    void finish() {
        if (channel.isActive()) {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
