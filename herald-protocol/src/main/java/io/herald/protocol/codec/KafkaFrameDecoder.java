package io.herald.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Splits the inbound byte stream into Kafka frames: a 4-byte big-endian size, then that many
 * bytes. Emits each frame's payload as a heap {@link ByteBuffer}: the one copy a request's bytes
 * make, which then backs the parsed request (a ProduceRequest's records point into it).
 *
 * <p>A size below 0 or above socket.request.max.bytes closes the connection without reading the
 * payload, as Kafka's NetworkReceive does with InvalidReceiveException; the rest of the input is
 * discarded. Works with any fragmentation (the cumulation buffer of {@link ByteToMessageDecoder}).
 *
 * <p>Event-loop confined (one instance per channel).
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {

    /** Bytes of the size prefix. */
    public static final int SIZE_PREFIX_BYTES = 4;

    private int maxFrameBytes;
    private String limitSetting = "socket.request.max.bytes";
    private final MalformedRequestLog malformed;
    private boolean failed;

    /** A decoder that logs its closures on its own (tests). */
    public KafkaFrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, new MalformedRequestLog(io.herald.common.time.Time.SYSTEM));
    }

    /** @param malformed the listener's shared, rate-limited log of closures for malformed input */
    public KafkaFrameDecoder(int maxFrameBytes, MalformedRequestLog malformed) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: > 0)");
        }
        this.maxFrameBytes = maxFrameBytes;
        this.malformed = java.util.Objects.requireNonNull(malformed, "malformed");
    }

    /**
     * Changes the largest frame accepted from now on: a SASL listener accepts {@code sasl.server.max.receive.size}
     * until the client has authenticated, then {@code socket.request.max.bytes}.
     *
     * @param limitSetting the config that set the limit, named in the log line when a frame exceeds it
     */
    public void maxFrameBytes(int maxFrameBytes, String limitSetting) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: > 0)");
        }
        this.maxFrameBytes = maxFrameBytes;
        this.limitSetting = java.util.Objects.requireNonNull(limitSetting, "limitSetting");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < SIZE_PREFIX_BYTES) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0 || size > maxFrameBytes) {
            failInvalidSize(ctx, in, size);
            return;
        }
        if (in.readableBytes() < SIZE_PREFIX_BYTES + size) {
            return;
        }
        in.skipBytes(SIZE_PREFIX_BYTES);
        byte[] payload = new byte[size];
        in.readBytes(payload);
        out.add(ByteBuffer.wrap(payload));
    }

    private void failInvalidSize(ChannelHandlerContext ctx, ByteBuf in, int size) {
        failed = true;
        in.skipBytes(in.readableBytes());
        malformed.connectionClosed(ctx.channel().remoteAddress(), "invalid request size " + size + " (expected: 0 - "
            + maxFrameBytes + ", " + limitSetting + ")");
        ctx.close();
    }
}
