package io.herald.protocol.codec;

import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Encodes a response frame: 4-byte size, response header (version from
 * {@link ApiKeys#responseHeaderVersion}), body. The size is computed first with a
 * {@link MessageSizeAccumulator}, so the whole non-zero-copy part goes into one exactly sized
 * buffer; zero-copy records become file regions between its slices (see {@link ByteBufWritable}).
 *
 * <p>Stateless and thread-safe.
 */
public final class ResponseEncoder {

    private ResponseEncoder() {
    }

    /**
     * @return the frame's parts in wire order: ByteBufs and FileRegions, owned by the caller
     * @throws IllegalArgumentException if {@code body} is not a response of {@code apiKey}
     * @throws IllegalStateException    if the body wrote a different size than it announced
     */
    public static List<Object> encode(ByteBufAllocator alloc, ApiKeys apiKey, short apiVersion,
                                      int correlationId, ApiMessage body) {
        Objects.requireNonNull(body, "body");
        if (body.apiKey() != apiKey.id) {
            throw new IllegalArgumentException("response " + body.getClass().getSimpleName()
                + " does not answer " + apiKey + " (api key " + body.apiKey() + ", expected: " + apiKey.id + ')');
        }
        short headerVersion = apiKey.responseHeaderVersion(apiVersion);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);

        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, apiVersion);

        int bufferBytes = KafkaFrameDecoder.SIZE_PREFIX_BYTES + size.sizeExcludingZeroCopy();
        ByteBufWritable writable = new ByteBufWritable(alloc.buffer(bufferBytes, bufferBytes));
        try {
            writable.writeInt(size.totalSize());
            header.write(writable, cache, headerVersion);
            body.write(writable, cache, apiVersion);
            // Same check as Kafka's SendBuilder: a mismatch would desynchronize the client's framing.
            long zeroCopy = size.totalSize() - size.sizeExcludingZeroCopy();
            if (writable.bufferedBytes() != bufferBytes || writable.zeroCopyBytes() != zeroCopy) {
                throw new IllegalStateException("response " + apiKey + " v" + apiVersion + " wrote "
                    + writable.bufferedBytes() + " buffered + " + writable.zeroCopyBytes() + " zero-copy bytes (expected: "
                    + bufferBytes + " + " + zeroCopy + ')');
            }
            return writable.finish();
        } catch (RuntimeException e) {
            writable.abort();
            throw e;
        }
    }
}
