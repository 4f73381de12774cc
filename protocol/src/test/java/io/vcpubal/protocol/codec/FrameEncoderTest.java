package io.vcpubal.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.vcpubal.protocol.testing.Frames;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {

    @Test
    void layoutIsMagicLengthPayloadCrcAllBigEndian() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameEncoder());
        ch.writeOutbound(Unpooled.copiedBuffer("123456789", StandardCharsets.US_ASCII));
        ByteBuf out = ch.readOutbound();
        byte[] expected = {
            (byte) 0xFE, (byte) 0xC1, 0x56, 0x42, // magic
            0, 0, 0, 9,                           // length
            '1', '2', '3', '4', '5', '6', '7', '8', '9',
            (byte) 0xE3, 0x06, (byte) 0x92, (byte) 0x83, // CRC-32C check value of "123456789"
        };
        assertArrayEquals(expected, ByteBufUtil.getBytes(out));
        out.release();
        assertFalse(ch.finish());
    }

    @Test
    void encodedFramesMatchTheSpecBuiltByHand() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameEncoder());
        byte[] payload = Frames.payload(300, 11);
        ch.writeOutbound(Unpooled.wrappedBuffer(payload));
        ByteBuf out = ch.readOutbound();
        assertArrayEquals(Frames.frame(payload), ByteBufUtil.getBytes(out));
        out.release();
        assertFalse(ch.finish());
    }

    @Test
    void encoderAndDecoderRoundTrip() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(), new FrameEncoder());
        byte[] payload = Frames.payload(5000, 3);
        ch.writeOutbound(Unpooled.wrappedBuffer(payload));
        ch.writeInbound((ByteBuf) ch.readOutbound());
        ByteBuf in = ch.readInbound();
        assertArrayEquals(payload, ByteBufUtil.getBytes(in));
        in.release();
        assertFalse(ch.finish());
    }

    @Test
    void payloadAboveTheBoundFailsTheWrite() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameEncoder(16));
        ChannelFuture f = ch.writeOneOutbound(Unpooled.wrappedBuffer(new byte[17]));
        ch.flushOutbound();
        assertInstanceOf(EncoderException.class, f.cause());
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }

    @Test
    void negativeBoundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FrameEncoder(-1));
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(Integer.MAX_VALUE, new FrameCounters()));
    }
}
