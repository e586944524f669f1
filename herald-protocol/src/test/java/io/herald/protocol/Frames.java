package io.herald.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/** Test helpers: request frames serialized by kafka-clients, and the bytes a channel wrote. */
public final class Frames {

    private Frames() {
    }

    public static RequestHeader header(ApiKeys key, short version, int correlationId) {
        return new RequestHeader(key, version, "herald-test", correlationId);
    }

    /** Size prefix + header + body, as a kafka-clients client would send it. */
    public static byte[] request(RequestHeader header, ApiMessage body) {
        ByteBuffer payload = RequestUtils.serialize(header.data(), header.headerVersion(), body, header.apiVersion());
        return prefixed(payload);
    }

    public static byte[] prefixed(ByteBuffer payload) {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
        frame.putInt(payload.remaining()).put(payload.duplicate()).flip();
        return frame.array();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    public static ByteBuf buf(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    /** Drains the channel's outbound messages (ByteBufs and FileRegions) into one byte array. */
    public static byte[] drainOutbound(EmbeddedChannel channel) {
        List<Object> messages = new ArrayList<>();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            messages.add(msg);
        }
        return bytesOf(messages);
    }

    public static byte[] bytesOf(List<Object> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object msg : messages) {
            if (msg instanceof ByteBuf buf) {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), bytes);
                out.writeBytes(bytes);
                buf.release();
            } else if (msg instanceof FileRegion region) {
                out.writeBytes(read(region));
                region.release();
            } else {
                throw new AssertionError("unexpected outbound message " + msg);
            }
        }
        return out.toByteArray();
    }

    public static byte[] read(FileRegion region) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel target = Channels.newChannel(out)) {
            while (region.transferred() < region.count()) {
                region.transferTo(target, region.transferred());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Splits the response stream into frames' payloads (size prefix removed). */
    public static List<ByteBuffer> splitFrames(byte[] stream) {
        List<ByteBuffer> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.hasRemaining()) {
            int size = in.getInt();
            ByteBuffer frame = in.slice(in.position(), size);
            in.position(in.position() + size);
            frames.add(frame);
        }
        return frames;
    }
}
