package io.herald.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(KafkaFrameDecoder.class);

    /** Bytes of the size prefix. */
    public static final int SIZE_PREFIX_BYTES = 4;

    private final int maxFrameBytes;
    private boolean failed;

    public KafkaFrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: > 0)");
        }
        this.maxFrameBytes = maxFrameBytes;
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
        log.warn("Closing connection from {}: invalid request size {} (expected: 0 - {}, socket.request.max.bytes)",
            ctx.channel().remoteAddress(), size, maxFrameBytes);
        ctx.close();
    }
}
