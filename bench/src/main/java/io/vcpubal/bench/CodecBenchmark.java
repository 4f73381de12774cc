package io.vcpubal.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.vcpubal.protocol.codec.FrameDecoder;
import io.vcpubal.protocol.codec.FrameEncoder;
import io.vcpubal.protocol.v1.Envelope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The link's codec on a typical GuestFacts report ({@link TypicalFacts}): the real pipeline halves (as
 * {@code ProtocolInitializer} builds them) in {@link EmbeddedChannel}s, so pipeline dispatch, buffer
 * allocation and the CRC32C are all counted; the framing alone on an already serialized payload; and raw
 * protobuf serialize/parse for comparison (the floor any codec built on protobuf pays).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    Envelope envelope;
    byte[] payload;
    byte[] frame;
    /** Outbound half: ProtobufEncoder, then FrameEncoder. */
    EmbeddedChannel encoder;
    /** Inbound half: FrameDecoder, then ProtobufDecoder(Envelope). */
    EmbeddedChannel decoder;
    EmbeddedChannel frameEncoder;
    EmbeddedChannel frameDecoder;

    @Setup
    public void setUp() {
        envelope = TypicalFacts.envelope();
        payload = envelope.toByteArray();
        encoder = new EmbeddedChannel(new FrameEncoder(), new ProtobufEncoder());
        decoder = new EmbeddedChannel(new FrameDecoder(), new ProtobufDecoder(Envelope.getDefaultInstance()));
        frameEncoder = new EmbeddedChannel(new FrameEncoder());
        frameDecoder = new EmbeddedChannel(new FrameDecoder());
        ByteBuf encoded = encode();
        frame = ByteBufUtil.getBytes(encoded);
        encoded.release();
    }

    @TearDown
    public void tearDown() {
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
        frameEncoder.finishAndReleaseAll();
        frameDecoder.finishAndReleaseAll();
    }

    private ByteBuf encode() {
        encoder.writeOutbound(envelope);
        return encoder.readOutbound();
    }

    private Envelope decode(ByteBuf bytes) {
        decoder.writeInbound(bytes); // the decoder releases the buffer
        return decoder.readInbound();
    }

    /** Envelope to frame bytes through the outbound pipeline; returns the frame length. */
    @Benchmark
    public int pipelineEncode() {
        ByteBuf out = encode();
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** Frame bytes as read from a socket to an Envelope through the inbound pipeline. */
    @Benchmark
    public Envelope pipelineDecode() {
        return decode(Unpooled.wrappedBuffer(frame));
    }

    /** Encode then decode one report: the cost a report adds to the guest plus the host. */
    @Benchmark
    public Envelope pipelineRoundTrip() {
        return decode(encode());
    }

    /** FrameEncoder then FrameDecoder on an already serialized payload: framing and CRC32C only. */
    @Benchmark
    public int framingOnlyRoundTrip() {
        frameEncoder.writeOutbound(Unpooled.wrappedBuffer(payload));
        frameDecoder.writeInbound(frameEncoder.<ByteBuf>readOutbound());
        ByteBuf out = frameDecoder.readInbound();
        int length = out.readableBytes();
        out.release();
        return length;
    }

    @Benchmark
    public byte[] protobufSerialize() {
        return envelope.toByteArray();
    }

    @Benchmark
    public Envelope protobufParse() throws InvalidProtocolBufferException {
        return Envelope.parseFrom(payload);
    }

    @Benchmark
    public Envelope protobufRoundTrip() throws InvalidProtocolBufferException {
        return Envelope.parseFrom(envelope.toByteArray());
    }
}
