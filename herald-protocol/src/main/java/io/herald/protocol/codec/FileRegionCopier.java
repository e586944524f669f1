package io.herald.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Turns the {@link FileRegion}s of fetch responses into buffers on a TLS connection, where the bytes must pass
 * through the TLS engine and sendfile cannot be used (Kafka, too, gives up zero-copy on SSL listeners). Sits between
 * the {@code SslHandler} and the dispatcher; every other message passes through untouched.
 *
 * <p>Event-loop confined. Releases each region once copied; a failed copy fails the write's promise.
 */
public final class FileRegionCopier extends ChannelOutboundHandlerAdapter {

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof FileRegion region)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf buffer = null;
        try {
            long remaining = region.count() - region.transferred();
            buffer = ctx.alloc().ioBuffer(Math.toIntExact(remaining));
            WritableByteChannel into = intoBuffer(buffer);
            while (region.transferred() < region.count()) {
                if (region.transferTo(into, region.transferred()) <= 0) {
                    throw new IOException("file region ended after " + region.transferred() + " of "
                            + region.count() + " bytes");
                }
            }
            ByteBuf copied = buffer;
            buffer = null;
            ctx.write(copied, promise);
        } catch (IOException | RuntimeException e) {
            promise.setFailure(e);
        } finally {
            if (buffer != null) {
                buffer.release();
            }
            ReferenceCountUtil.release(region);
        }
    }

    private static WritableByteChannel intoBuffer(ByteBuf buffer) {
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = src.remaining();
                buffer.writeBytes(src);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
