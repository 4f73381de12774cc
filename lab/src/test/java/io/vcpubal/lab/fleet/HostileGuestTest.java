package io.vcpubal.lab.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.codec.FrameDecoder;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.GuestFacts;
import org.junit.jupiter.api.Test;

class HostileGuestTest {
    @Test
    void aFloodFrameIsIntactForTheProjectsDecoder() throws Exception {
        Envelope e = Envelope.newBuilder().setSeq(9).setFacts(GuestFacts.newBuilder().setOnlineCpus("0-3")).build();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1 << 16, new FrameCounters()));
        ch.writeInbound(Unpooled.wrappedBuffer(HostileGuest.frame(e.toByteArray())));
        ByteBuf payload = ch.readInbound();
        byte[] bytes = new byte[payload.readableBytes()];
        payload.readBytes(bytes);
        payload.release();
        assertEquals(e, Envelope.parseFrom(bytes), "the flood is of valid frames: the host must bound it by rate, not CRC");
    }
}
