package io.vcpubal.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Wraps each outbound payload {@link ByteBuf} in a frame as laid out in {@link FrameFormat}.
 * A payload above the bound fails the write: the peer would drop it anyway, and the writer should learn why.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<ByteBuf> {
    private final int maxPayloadLength;

    /** An encoder with the default bound of {@link FrameFormat#DEFAULT_MAX_PAYLOAD_LENGTH}. */
    public FrameEncoder() {
        this(FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH);
    }

    /** An encoder that refuses payloads longer than {@code maxPayloadLength} bytes. */
    public FrameEncoder(int maxPayloadLength) {
        super(ByteBuf.class);
        this.maxPayloadLength = FrameFormat.requireValidBound(maxPayloadLength);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, ByteBuf msg, boolean preferDirect) {
        int size = msg.readableBytes() + FrameFormat.OVERHEAD;
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf payload, ByteBuf out) {
        int length = payload.readableBytes();
        if (length > maxPayloadLength) {
            throw new EncoderException("payload of " + length + " bytes exceeds the frame bound of "
                    + maxPayloadLength + " bytes");
        }
        int start = payload.readerIndex();
        out.writeInt(FrameFormat.MAGIC);
        out.writeInt(length);
        out.writeBytes(payload, start, length);
        out.writeInt(FrameFormat.crc32c(payload, start, length));
        payload.skipBytes(length);
    }
}
