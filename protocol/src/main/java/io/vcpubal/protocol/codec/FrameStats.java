package io.vcpubal.protocol.codec;

/**
 * A snapshot of what one or more {@link FrameDecoder}s saw. Bytes are conserved:
 * {@code bytesReceived == frameBytes + droppedBytes + bytes still buffered} (buffered is 0 once a channel closed).
 *
 * @param bytesReceived   bytes handed to the decoder
 * @param frames          frames that passed the CRC check and were passed on
 * @param frameBytes      bytes of those frames, header and trailer included
 * @param droppedBytes    bytes discarded: junk before a magic, the magic of a rejected frame (the whole
 *                        frame once its sender spent its work budget), a partial header at close
 * @param droppedFrames   frames rejected after their magic was found
 *                        ({@code crcErrors + oversizedFrames + truncatedFrames})
 * @param crcErrors       frames whose CRC did not match
 * @param oversizedFrames headers whose length exceeded the bound (rejected without allocating)
 * @param truncatedFrames frames still incomplete when their channel's input ended, or proven stale by a valid
 *                        frame behind them
 * @param workBytes       bytes the decoder examined: bytes fed to CRC32C plus bytes its two magic scans stepped
 *                        over; at most {@link FrameDecoder#MAX_WORK_PER_BYTE} times {@code bytesReceived}
 *                        plus one frame of the bound per second, whatever the sender does
 * @param throttled       times a {@link ReadRateLimiter} stopped reading a link for the rest of a second
 */
public record FrameStats(long bytesReceived, long frames, long frameBytes, long droppedBytes, long droppedFrames,
                         long crcErrors, long oversizedFrames, long truncatedFrames, long workBytes,
                         long throttled) {
}
