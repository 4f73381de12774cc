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
 *   <li>an incomplete frame waits for more bytes, unless a complete frame with a valid CRC is already buffered
 *       behind it: that proves it stale (a peer that died mid-frame) and it is rejected at once;</li>
 *   <li>when the input ends, a frame still incomplete is rejected too.</li>
 * </ul>
 * A header whose length was corrupted to a larger value within the bound holds back the frames behind it until
 * that many bytes arrived or one of them is complete. Links start every connection with a fresh decoder.
 *
 * <p>Work is linear in the bytes received, whatever the sender does. The sender knows the format, so it can plant
 * a plausible header every few bytes; rejecting each by its magic alone would CRC the same bytes once per
 * header (quadratic). So: each scan visits a byte once (the stale check keeps a cursor and {@link PendingHeaders}
 * it revisits only when complete), and CRCs are paid from a budget of {@link #WORK_PER_BYTE} bytes per byte
 * received (capped at that many frames of the bound). While the budget is spent, a CRC the stale check wants is
 * put off, and a frame that fails its CRC is skipped whole (up to a valid frame known to start inside it) rather
 * than by its magic. That weakens two rules above, for a sender that overspent only: frames hidden inside its
 * bogus frames are lost, and frames behind its stale headers wait. The overspent CRC leaves a debt (up to one
 * frame of the bound) that a sender which then stops flooding would pay off only by sending eight times that
 * much: a flood cut in the middle of planted headers kept the next agent's frames waiting for minutes. So time
 * also pays: {@link #CREDIT_PER_SECOND_IN_FRAMES} frames of the bound per second of the event loop's ticker,
 * and the debt is gone a second after the flood stops. Hence {@code workBytes <=
 * }{@link #MAX_WORK_PER_BYTE}{@code * bytesReceived + (OVERHEAD + bound) * seconds} in {@link FrameStats}: at the
 * host's bound, a megabyte of CRC a second (well under a millisecond of CPU). No legitimate stream comes near
 * the budget: it CRCs each byte about once.
 *
 * <p>Each decoded payload is a retained slice; the next handler (the protobuf decoder) releases it.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** CRC bytes a received byte pays for. */
    public static final int WORK_PER_BYTE = 8;
    /**
     * Bound on work per byte received: the budget, plus the CRC that overspends it, plus frames skipped whole
     * after it (each byte at most twice), plus the two scans.
     */
    public static final int MAX_WORK_PER_BYTE = WORK_PER_BYTE + 5;
    /** Frames of the bound a link's budget regains per second, whatever it sends. */
    public static final int CREDIT_PER_SECOND_IN_FRAMES = 1;
    /** Longest quiet a read is credited for: the budget's cap is reached long before. */
    private static final long MAX_CREDITED_NANOS = 10_000_000_000L;
    /** Headers the stale check tracks at once behind a waiting frame. */
    static final int MAX_PENDING_HEADERS = 64;

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);
    private static final long NONE = -1;

    private final int maxPayloadLength;
    private final FrameCounters counters;
    private final long maxCredit;
    private final long creditPerSecond;
    private final PendingHeaders pending = new PendingHeaders(MAX_PENDING_HEADERS);
    /** CRC bytes still affordable; may go negative by one CRC. */
    private long credit;
    /** Bytes received on this channel: the stream position of the cumulation's writer index. */
    private long received;
    /** The ticker's time of the last read, or NONE before the first. */
    private long lastReadNanos = NONE;
    /** Stream position below which the stale check has scanned. */
    private long cursor;
    /** Stream position of a frame found intact by the stale check, or NONE. */
    private long validAt = NONE;
    /** Stream position of the cumulation's index 0, fixed for one decode call. */
    private long base;

    /** A decoder with the default bound and its own counters. */
    public FrameDecoder() {
        this(FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH, new FrameCounters());
    }

    /** A decoder that rejects payload lengths above {@code maxPayloadLength} and reports to {@code counters}. */
    public FrameDecoder(int maxPayloadLength, FrameCounters counters) {
        this.maxPayloadLength = FrameFormat.requireValidBound(maxPayloadLength);
        this.counters = counters;
        this.maxCredit = (long) WORK_PER_BYTE * (FrameFormat.OVERHEAD + maxPayloadLength);
        this.creditPerSecond = (long) CREDIT_PER_SECOND_IN_FRAMES * (FrameFormat.OVERHEAD + maxPayloadLength);
    }

    /** What this decoder's counters saw so far (shared counters include other decoders). */
    public FrameStats stats() {
        return counters.snapshot();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            int bytes = buf.readableBytes();
            counters.received(bytes);
            received += bytes;
            credit = Math.min(maxCredit, credit + (long) WORK_PER_BYTE * bytes + timeCredit(ctx));
        }
        super.channelRead(ctx, msg);
    }

    /** The credit time earned since the last read ({@link #CREDIT_PER_SECOND_IN_FRAMES}). */
    private long timeCredit(ChannelHandlerContext ctx) {
        long now = ctx.executor().ticker().nanoTime();
        long since = lastReadNanos == NONE ? 0 : Math.min(MAX_CREDITED_NANOS, Math.max(0, now - lastReadNanos));
        lastReadNanos = now;
        return creditPerSecond * since / 1_000_000_000L;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        base = received - in.writerIndex(); // the readable bytes are the newest of the stream
        while (skipToMagic(in) && in.readableBytes() >= FrameFormat.HEADER_LENGTH) {
            int start = in.readerIndex();
            if (validAt != NONE && validAt < base + start) {
                validAt = NONE; // passed it
            }
            long length = in.getUnsignedInt(start + FrameFormat.MAGIC_LENGTH);
            if (length > maxPayloadLength) {
                counters.oversized();
                reject(in, "length " + length + " exceeds bound " + maxPayloadLength);
                continue;
            }
            int payloadLength = (int) length;
            int frameLength = FrameFormat.OVERHEAD + payloadLength;
            if (in.readableBytes() < frameLength) {
                // A stale header with a plausible length (a peer that died mid-frame) would hold back every
                // frame behind it until that many bytes arrived. A whole frame with a valid CRC already
                // buffered behind it proves the header stale: resynchronise there instead of waiting.
                if (validFrameBehind(in, start)) {
                    counters.truncated();
                    reject(in, "stale " + payloadLength + "-byte header: a valid frame follows inside it");
                    continue;
                }
                return; // truncated: wait for the rest
            }
            boolean paid = credit >= 0;
            if (!crcMatches(in, start, payloadLength)) {
                counters.crcError();
                if (paid) {
                    reject(in, "CRC mismatch on a " + payloadLength + "-byte payload");
                } else {
                    skipWhole(in, frameLength);
                }
                continue;
            }
            out.add(in.retainedSlice(start + FrameFormat.HEADER_LENGTH, payloadLength));
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

    /**
     * Whether a complete frame with a valid CRC is buffered behind the waiting frame at {@code head}. Scans each
     * byte once (from {@link #cursor}), queues the headers it finds in {@link #pending} and CRCs each when its
     * frame is complete, as long as the budget lasts; the first intact one found stays in {@link #validAt}
     * until the reader passes it.
     */
    private boolean validFrameBehind(ByteBuf in, int head) {
        long headAt = base + head;
        if (validAt != NONE) {
            return true; // found behind an earlier head, which this one follows
        }
        if (cursor <= headAt) { // everything queued lies before this head
            pending.clear();
            cursor = headAt + FrameFormat.MAGIC_LENGTH;
        }
        scanBehind(in);
        long end = base + in.writerIndex();
        while (!pending.isEmpty() && pending.firstEnd() <= end && credit >= 0) {
            long at = pending.removeFirst();
            if (at > headAt && crcMatches(in, (int) (at - base), (int) (in.getUnsignedInt((int) (at - base)
                    + FrameFormat.MAGIC_LENGTH)))) {
                validAt = at;
                return true;
            }
        }
        return false;
    }

    /** Advances {@link #cursor} over the buffered bytes, queueing each plausible header ({@link PendingHeaders#offer}). */
    private void scanBehind(ByteBuf in) {
        int end = in.writerIndex();
        int from = (int) (cursor - base);
        int at = from;
        while ((at = in.indexOf(at, end, FrameFormat.MAGIC_FIRST_BYTE)) >= 0) {
            if (end - at < FrameFormat.HEADER_LENGTH) {
                break; // its length has not arrived: look again next time
            }
            if (in.getInt(at) == FrameFormat.MAGIC) {
                long length = in.getUnsignedInt(at + FrameFormat.MAGIC_LENGTH);
                if (length <= maxPayloadLength) {
                    pending.offer(base + at, base + at + FrameFormat.OVERHEAD + length);
                }
            }
            at++;
        }
        if (at < 0) {
            at = end;
        }
        counters.work(at - from);
        cursor = base + at;
    }

    /** CRC check of the complete frame at {@code start}, paid from the budget. */
    private boolean crcMatches(ByteBuf in, int start, int payloadLength) {
        credit -= payloadLength;
        counters.work(payloadLength);
        int payloadStart = start + FrameFormat.HEADER_LENGTH;
        return FrameFormat.crc32c(in, payloadStart, payloadLength) == in.getInt(payloadStart + payloadLength);
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
        counters.work(junk);
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

    /** Out of budget: the bad frame goes whole, except that an intact frame known to start inside it is kept. */
    private void skipWhole(ByteBuf in, int frameLength) {
        long start = base + in.readerIndex();
        long to = validAt > start && validAt < start + frameLength ? validAt : start + frameLength;
        LOG.debug("rejecting a frame: CRC mismatch with the work budget spent, skipping {} bytes", to - start);
        drop(in, (int) (to - start));
    }

    private void drop(ByteBuf in, int bytes) {
        in.skipBytes(bytes);
        counters.dropped(bytes);
    }
}
