package io.vcpubal.protocol;

import static io.vcpubal.protocol.testing.TestEnvelopes.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.codec.FrameDecoder;
import io.vcpubal.protocol.codec.ReadRateLimiter;
import io.vcpubal.protocol.testing.Frames;
import io.vcpubal.protocol.v1.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolInitializerTest {
    private final FrameCounters counters = new FrameCounters();
    /** A pass-through handler lets readInbound() see what reached the end of the pipeline. */
    private final ProtocolInitializer initializer =
            new ProtocolInitializer(ChannelInboundHandlerAdapter::new, 64 * 1024, counters);

    @Test
    void envelopesRoundTripThroughTwoPipelinesWithJunkBetween() {
        EmbeddedChannel sender = new EmbeddedChannel(initializer);
        EmbeddedChannel receiver = new EmbeddedChannel(initializer);
        List<Envelope> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Envelope e = envelope(i, i * 100);
            sent.add(e);
            sender.writeOutbound(e);
        }
        receiver.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        for (ByteBuf frame; (frame = sender.readOutbound()) != null; ) {
            receiver.writeInbound(frame);
        }
        List<Envelope> got = new ArrayList<>();
        for (Envelope e; (e = receiver.readInbound()) != null; ) {
            got.add(e);
        }
        assertEquals(sent, got);
        assertEquals(3, counters.snapshot().droppedBytes());
        assertNotNull(receiver.pipeline().get(ProtocolInitializer.FRAME_DECODER));
        assertEquals(20, ((FrameDecoder) receiver.pipeline().get(ProtocolInitializer.FRAME_DECODER)).stats().frames());
        assertFalse(sender.finish());
        assertFalse(receiver.finish());
    }

    @Test
    void intactFrameThatIsNotAnEnvelopeReachesExceptionCaught() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        byte[] notProtobuf = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}; // truncated varint tag
        assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(Frames.frame(notProtobuf))));
        assertNull(ch.readInbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void envelopeLargerThanTheBoundIsNotSent() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        assertThrows(EncoderException.class, () -> ch.writeOutbound(envelope(1, 64 * 1024 + 1)));
        assertNull(ch.readOutbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void eachChannelGetsItsOwnHandlerFromTheSupplier() {
        EmbeddedChannel a = new EmbeddedChannel(initializer);
        EmbeddedChannel b = new EmbeddedChannel(initializer);
        assertNotNull(a.pipeline().get(ProtocolInitializer.HANDLER));
        assertFalse(a.pipeline().get(ProtocolInitializer.HANDLER) == b.pipeline().get(ProtocolInitializer.HANDLER));
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void withoutAByteBudgetThereIsNoReadLimiter() {
        EmbeddedChannel ch = new EmbeddedChannel(initializer);
        assertNull(ch.pipeline().get(ProtocolInitializer.READ_LIMITER));
        ch.finishAndReleaseAll();
    }

    @Test
    void aByteBudgetPutsTheReadLimiterBeforeTheFrameDecoder() {
        ProtocolInitializer limited = new ProtocolInitializer(ChannelInboundHandlerAdapter::new, 64 * 1024, counters,
                ReadRateLimiter.DEFAULT_BYTES_PER_SECOND);
        EmbeddedChannel ch = new EmbeddedChannel(limited);
        assertEquals(List.of(ProtocolInitializer.READ_LIMITER, ProtocolInitializer.FRAME_DECODER),
                ch.pipeline().names().subList(0, 2));
        // A flood of valid frames: all decoded, then the link stops reading for the rest of the second.
        byte[] frame = Frames.frame(envelope(1, 1000).toByteArray());
        int frames = (int) (ReadRateLimiter.DEFAULT_BYTES_PER_SECOND / frame.length) + 1;
        for (int i = 0; i < frames; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(frame));
        }
        assertFalse(ch.config().isAutoRead());
        assertEquals(1, counters.snapshot().throttled());
        assertEquals(frames, counters.snapshot().frames());
        ch.finishAndReleaseAll();
    }

    @Test
    void aNegativeByteBudgetIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ProtocolInitializer(ChannelInboundHandlerAdapter::new, 1024, counters, -1));
    }
}
