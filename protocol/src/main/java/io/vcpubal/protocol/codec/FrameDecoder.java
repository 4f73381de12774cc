package io.vcpubal.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a byte stream that may contain junk into the payloads of intact frames ({@link FrameFormat}).
 *
 * <p>Recovery rules, chosen so one bad byte never costs more than the frame it hit:
 * <ul>
 *   <li>bytes before a magic are skipped and counted as dropped;</li>
 *   <li>a length above the bound rejects the header at once, before anything is allocated or awaited;</li>
 *   <li>a CRC mismatch rejects the frame;</li>
 *   <li>after a rejection only the 4 magic bytes are consumed and the scan restarts right behind them, so an
 *       intact frame hidden inside a bogus one (e.g. after a header whose length was cut off) is still found;</li>
 *   <li>an incomplete frame waits for more bytes; when the input ends first it is rejected too.</li>
 * </ul>
 * A header whose length was corrupted to a larger value within the bound holds back the frames behind it until
 * that many bytes arrived (then its CRC fails and they are found). Links therefore start every connection with
 * a fresh decoder: stale bytes from an earlier connection cannot stall a new one for longer than they last.
 *
 * <p>Each decoded payload is a retained slice; the next handler (the protobuf decoder) releases it.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int maxPayloadLength;
    private final FrameCounters counters;

    /** A decoder with the default bound and its own counters. */
    public FrameDecoder() {
        this(FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH, new FrameCounters());
    }

    /** A decoder that rejects payload lengths above {@code maxPayloadLength} and reports to {@code counters}. */
    public FrameDecoder(int maxPayloadLength, FrameCounters counters) {
        this.maxPayloadLength = FrameFormat.requireValidBound(maxPayloadLength);
        this.counters = counters;
    }

    /** What this decoder's counters saw so far (shared counters include other decoders). */
    public FrameStats stats() {
        return counters.snapshot();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            counters.received(buf.readableBytes());
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (skipToMagic(in) && in.readableBytes() >= FrameFormat.HEADER_LENGTH) {
            int start = in.readerIndex();
            long length = in.getUnsignedInt(start + FrameFormat.MAGIC_LENGTH);
            if (length > maxPayloadLength) {
                counters.oversized();
                reject(in, "length " + length + " exceeds bound " + maxPayloadLength);
                continue;
            }
            int payloadLength = (int) length;
            int frameLength = FrameFormat.OVERHEAD + payloadLength;
            if (in.readableBytes() < frameLength) {
                // A stale header with a plausible length (a host that died mid-frame) would hold back every
                // frame behind it until that many bytes arrived. A whole frame with a valid CRC already
                // buffered behind it proves the header stale: resynchronise there instead of waiting.
                if (validFrameBehind(in, start + FrameFormat.MAGIC_LENGTH)) {
                    counters.truncated();
                    reject(in, "stale " + payloadLength + "-byte header: a valid frame follows inside it");
                    continue;
                }
                return; // truncated: wait for the rest
            }
            int payloadStart = start + FrameFormat.HEADER_LENGTH;
            int expected = in.getInt(payloadStart + payloadLength);
            if (FrameFormat.crc32c(in, payloadStart, payloadLength) != expected) {
                counters.crcError();
                reject(in, "CRC mismatch on a " + payloadLength + "-byte payload");
                continue;
            }
            out.add(in.retainedSlice(payloadStart, payloadLength));
            in.skipBytes(frameLength);
            counters.decoded(frameLength);
        }
    }

    /**
     * No more bytes will come: a frame still incomplete is rejected like a bad one and the scan goes on behind
     * its magic, so intact frames buffered behind a bogus length are not lost with it.
     */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        while (in.readableBytes() >= FrameFormat.MAGIC_LENGTH) { // decode stopped at a magic: incomplete
            counters.truncated();
            reject(in, "incomplete at end of stream");
            decode(ctx, in, out);
        }
        if (in.isReadable()) {
            drop(in, in.readableBytes()); // a partial magic or header
        }
    }

    /**
     * Moves the reader index to the next magic. Returns false when none is complete yet; then only a trailing
     * partial magic (at most 3 bytes) stays buffered, so junk never accumulates.
     */
    private boolean skipToMagic(ByteBuf in) {
        int from = in.readerIndex();
        int end = in.writerIndex();
        int candidate = from;
        while (true) {
            candidate = in.indexOf(candidate, end, FrameFormat.MAGIC_FIRST_BYTE);
            if (candidate < 0) {
                dropTo(in, end);
                return false;
            }
            int available = end - candidate;
            if (available < FrameFormat.MAGIC_LENGTH) {
                if (isMagicPrefix(in, candidate, available)) {
                    dropTo(in, candidate);
                    return false;
                }
            } else if (in.getInt(candidate) == FrameFormat.MAGIC) {
                dropTo(in, candidate);
                return true;
            }
            candidate++;
        }
    }

    /** Whether a complete frame with a valid CRC starts somewhere in {@code in} at or after {@code from}. */
    private boolean validFrameBehind(ByteBuf in, int from) {
        int end = in.writerIndex();
        for (int at = in.indexOf(from, end, FrameFormat.MAGIC_FIRST_BYTE); at >= 0 && end - at >= FrameFormat.OVERHEAD;
                at = in.indexOf(at + 1, end, FrameFormat.MAGIC_FIRST_BYTE)) {
            if (in.getInt(at) != FrameFormat.MAGIC) {
                continue;
            }
            long length = in.getUnsignedInt(at + FrameFormat.MAGIC_LENGTH);
            if (length <= maxPayloadLength && end - at >= FrameFormat.OVERHEAD + length) {
                int payloadStart = at + FrameFormat.HEADER_LENGTH;
                if (FrameFormat.crc32c(in, payloadStart, (int) length) == in.getInt(payloadStart + (int) length)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isMagicPrefix(ByteBuf in, int index, int length) {
        for (int i = 0; i < length; i++) {
            if (in.getByte(index + i) != (byte) (FrameFormat.MAGIC >>> (24 - 8 * i))) {
                return false;
            }
        }
        return true;
    }

    private void dropTo(ByteBuf in, int index) {
        int junk = index - in.readerIndex();
        if (junk > 0) {
            LOG.debug("skipping {} bytes of junk before a frame magic", junk);
            in.readerIndex(index);
            counters.dropped(junk);
        }
    }

    private void reject(ByteBuf in, String reason) {
        LOG.debug("rejecting a frame: {}", reason);
        drop(in, FrameFormat.MAGIC_LENGTH);
    }

    private void drop(ByteBuf in, int bytes) {
        in.skipBytes(bytes);
        counters.dropped(bytes);
    }
}
