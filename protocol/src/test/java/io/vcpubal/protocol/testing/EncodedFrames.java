package io.vcpubal.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.v1.Envelope;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** The bytes the real pipeline writes for some Envelopes. */
public final class EncodedFrames {
    private EncodedFrames() {
    }

    /** The framed encoding of {@code envelopes}, back to back. */
    public static byte[] of(List<Envelope> envelopes) {
        EmbeddedChannel ch = new EmbeddedChannel(new ProtocolInitializer(ChannelInboundHandlerAdapter::new));
        envelopes.forEach(ch::writeOutbound);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
        ch.finishAndReleaseAll();
        return out.toByteArray();
    }
}
