package io.vcpubal.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vcpubal.protocol.codec.FrameCounters;
import io.vcpubal.protocol.codec.FrameDecoder;
import io.vcpubal.protocol.codec.FrameFormat;
import io.vcpubal.protocol.codec.FrameStats;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The host's {@link FrameDecoder} on a normal stream and on the worst streams a guest can build
 * ({@link DecoderStreams}), with the host's bound of 1 MiB. One operation is one connection: a fresh decoder
 * reads the whole stream, in one read or in reads of {@code chunk} bytes, then the input ends. The score that
 * matters is the {@code bytes} counter, in bytes/s: a decoder linear in its input keeps it flat as the stream
 * grows and within a small factor of NORMAL; a quadratic one loses a factor of 16 from 64 KiB to 1 MiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DecoderBenchmark {
    static final int BOUND = FrameFormat.DEFAULT_MAX_PAYLOAD_LENGTH;

    @Param
    DecoderStreams stream;
    @Param({"65536", "1048576"})
    int size;
    /** Bytes per read; 0 = the whole stream in one read. */
    @Param({"0", "1024"})
    int chunk;

    byte[] bytes;

    /** Bytes and frames decoded, reported by JMH as rates next to the operations (streams) per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long bytes;
        public long frames;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            frames = 0;
        }
    }

    @Setup
    public void setUp() {
        bytes = stream.build(size, BOUND);
    }

    /** Decodes the stream on a fresh connection; returns the frames that came out. */
    @Benchmark
    public int decode(Rates rates) {
        int frames = decodeStream(bytes, chunk, new FrameCounters());
        rates.bytes += bytes.length;
        rates.frames += frames;
        return frames;
    }

    /**
     * Prints the decoder's work counter per byte received for every stream, size and chunking (deterministic,
     * so no JMH needed): {@code java -cp bench/target/vcpubal-bench.jar io.vcpubal.bench.DecoderBenchmark}.
     */
    public static void main(String[] args) {
        System.out.printf("%-20s %8s %6s %8s %10s%n", "stream", "size", "chunk", "frames", "work/byte");
        for (DecoderStreams stream : DecoderStreams.values()) {
            for (int size : new int[] {65536, 1048576}) {
                byte[] bytes = stream.build(size, BOUND);
                for (int chunk : new int[] {0, 1024}) {
                    FrameCounters counters = new FrameCounters();
                    int frames = decodeStream(bytes, chunk, counters);
                    FrameStats s = counters.snapshot();
                    System.out.printf("%-20s %8d %6d %8d %10.2f%n", stream, size, chunk, frames,
                            (double) s.workBytes() / s.bytesReceived());
                }
            }
        }
    }

    static int decodeStream(byte[] stream, int chunk, FrameCounters counters) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(BOUND, counters));
        int step = chunk == 0 ? stream.length : chunk;
        int frames = 0;
        for (int at = 0; at < stream.length; at += step) {
            ch.writeInbound(Unpooled.wrappedBuffer(stream, at, Math.min(step, stream.length - at)));
            frames += drain(ch);
        }
        ch.finish();
        return frames + drain(ch);
    }

    private static int drain(EmbeddedChannel ch) {
        int frames = 0;
        for (ByteBuf b; (b = ch.readInbound()) != null; frames++) {
            b.release();
        }
        return frames;
    }
}
