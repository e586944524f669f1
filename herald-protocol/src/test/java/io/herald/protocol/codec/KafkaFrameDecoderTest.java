package io.herald.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KafkaFrameDecoderTest {

    private static byte[] frame(int size, int seed) {
        byte[] payload = new byte[size];
        new Random(seed).nextBytes(payload);
        return ByteBuffer.allocate(4 + size).putInt(size).put(payload).array();
    }

    private static byte[] payloadOf(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, 4, frame.length);
    }

    private static List<byte[]> readFrames(EmbeddedChannel channel) {
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuffer f; (f = channel.readInbound()) != null; ) {
            assertThat(f.hasArray()).as("heap copy").isTrue();
            byte[] bytes = new byte[f.remaining()];
            f.get(bytes);
            frames.add(bytes);
        }
        return frames;
    }

    @Test
    void decodesFramesFedByteByByte() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        byte[] first = frame(10, 1);
        byte[] second = frame(0, 2);
        byte[] third = frame(300, 3);
        for (byte[] frame : List.of(first, second, third)) {
            for (byte b : frame) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
        }
        assertThat(readFrames(channel)).containsExactly(payloadOf(first), payloadOf(second), payloadOf(third));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void decodesSeveralFramesInOneReadAndFramesSplitAcrossReads() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        byte[] a = frame(7, 1);
        byte[] b = frame(50, 2);
        byte[] c = frame(20, 3);
        byte[] stream = io.herald.protocol.Frames.concat(a, b, c);
        // a and the first 5 bytes of b in one read, the rest of b plus all of c in the next
        int cut = a.length + 5;
        channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
        assertThat(readFrames(channel)).containsExactly(payloadOf(a));
        channel.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
        assertThat(readFrames(channel)).containsExactly(payloadOf(b), payloadOf(c));
    }

    @Test
    void randomFragmentationYieldsTheSameFrames() {
        Random random = new Random(42);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            frames.add(frame(random.nextInt(200), i));
        }
        byte[] stream = io.herald.protocol.Frames.concat(frames.toArray(byte[][]::new));
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        List<byte[]> decoded = new ArrayList<>();
        for (int pos = 0; pos < stream.length; ) {
            int len = Math.min(stream.length - pos, 1 + random.nextInt(64));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, pos, len));
            decoded.addAll(readFrames(channel));
            pos += len;
        }
        assertThat(decoded).containsExactlyElementsOf(frames.stream().map(KafkaFrameDecoderTest::payloadOf).toList());
    }

    @Test
    void frameLargerThanMaxRequestBytesClosesTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(100));
        channel.writeInbound(Unpooled.wrappedBuffer(frame(100, 1)));
        assertThat(readFrames(channel)).hasSize(1);
        // only the size prefix is needed to reject it, the payload is never awaited
        channel.writeInbound(Unpooled.buffer().writeInt(101));
        assertThat(channel.isOpen()).isFalse();
        assertThat(readFrames(channel)).isEmpty();
    }

    @Test
    void negativeSizeClosesTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(100));
        channel.writeInbound(Unpooled.buffer().writeInt(-1).writeBytes(new byte[8]));
        assertThat(channel.isOpen()).isFalse();
        assertThat(readFrames(channel)).isEmpty();
    }
}
