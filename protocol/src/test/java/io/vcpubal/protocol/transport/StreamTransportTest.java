package io.vcpubal.protocol.transport;

import static io.vcpubal.protocol.testing.TestEnvelopes.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vcpubal.protocol.ProtocolInitializer;
import io.vcpubal.protocol.testing.Await;
import io.vcpubal.protocol.testing.CollectingHandler;
import io.vcpubal.protocol.testing.EchoHandler;
import io.vcpubal.protocol.testing.EncodedFrames;
import io.vcpubal.protocol.testing.Fifos;
import io.vcpubal.protocol.testing.Frames;
import io.vcpubal.protocol.v1.Envelope;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest-side channel over blocking streams, exercised with in-memory streams and named pipes. */
class StreamTransportTest {
    @TempDir
    Path dir;

    private static List<Envelope> envelopes(int n) {
        List<Envelope> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(envelope(i, i % 10 == 0 ? 30_000 : i));
        }
        return list;
    }

    @Test
    void framesBeforeEofAreDeliveredThenTheLinkCloses() throws Exception {
        List<Envelope> sent = envelopes(50);
        byte[] stale = {0x42, (byte) 0xFE, 0x00, 0x07}; // junk a previous connection left in the port
        byte[] bytes = Frames.concat(stale, EncodedFrames.of(sent));
        AtomicBoolean closed = new AtomicBoolean();
        CollectingHandler collected = new CollectingHandler();
        ProtocolInitializer pipeline = new ProtocolInitializer(() -> collected);
        try (StreamTransport t = new StreamTransport(() -> new ByteStreams(new ByteArrayInputStream(bytes),
                new ByteArrayOutputStream(), () -> closed.set(true), "fixture"), pipeline, "test-eof")) {
            Channel ch = Await.get(t.open());
            Await.done(ch.closeFuture());
            assertEquals(sent, collected.drain(), "everything read before EOF is delivered before the close");
            assertTrue(closed.get(), "EOF closes the streams");
            assertEquals(new StreamAddress("fixture"), ch.remoteAddress());
            assertEquals(stale.length, pipeline.counters().snapshot().droppedBytes());
        }
    }

    @Test
    void envelopesRoundTripBetweenTwoStreamChannelsOverAFifoPair() throws Exception {
        Path up = Fifos.mkfifo(dir.resolve("up"));
        Path down = Fifos.mkfifo(dir.resolve("down"));
        CollectingHandler collected = new CollectingHandler();
        try (StreamTransport guest = new StreamTransport(() -> Fifos.pair(down, up),
                new ProtocolInitializer(EchoHandler::new), "test-guest");
             StreamTransport host = new StreamTransport(() -> Fifos.pair(up, down),
                new ProtocolInitializer(() -> collected), "test-host")) {
            Await.get(guest.open());
            Channel ch = Await.get(host.open());
            List<Envelope> sent = envelopes(2000); // far more than a pipe buffers: both ends block on writes
            sent.forEach(ch::write);
            ch.flush();
            assertEquals(sent, collected.take(sent.size()));
            assertTrue(collected.errors().isEmpty(), collected.errors().toString());
        }
    }

    @Test
    void charDeviceOpensTheNodeOnceForBothDirections() throws Exception {
        // A FIFO opened read-write loops back what the channel writes: one descriptor serves both directions.
        Path port = Fifos.mkfifo(dir.resolve("vport0p1"));
        CollectingHandler collected = new CollectingHandler();
        try (StreamTransport t = StreamTransport.charDevice(port, new ProtocolInitializer(() -> collected))) {
            Channel ch = Await.get(t.open());
            List<Envelope> sent = envelopes(500);
            sent.forEach(ch::write);
            ch.flush();
            assertEquals(sent, collected.take(sent.size()));
            assertEquals(new StreamAddress(port.toString()), ch.localAddress());
        }
    }

    @Test
    void missingDeviceFailsTheOpenAndCreatesNothing() throws Exception {
        Path absent = dir.resolve("vport9p9");
        try (StreamTransport t = StreamTransport.charDevice(absent, new ProtocolInitializer(CollectingHandler::new))) {
            Future<Channel> f = t.open();
            Await.done(f);
            assertInstanceOf(NoSuchFileException.class, f.cause());
            assertFalse(Files.exists(absent));
        }
    }

    @Test
    void regularFileIsNotAcceptedAsADevice() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-port"), "x");
        IOException e = assertThrows(IOException.class, () -> ByteStreams.openDevice(file));
        assertTrue(e.getMessage().contains("regular file"), e.getMessage());
    }

    @Test
    void withoutAutoReadEachReadRequestReadsOneChunk() throws Exception {
        List<Envelope> sent = List.of(envelope(1, 100), envelope(2, 200), envelope(3, 300)); // each within a chunk
        // SequenceInputStream returns at most one part per read: one frame per chunk
        List<InputStream> parts = new ArrayList<>();
        sent.forEach(e -> parts.add(new ByteArrayInputStream(EncodedFrames.of(List.of(e)))));
        AtomicInteger reads = new AtomicInteger();
        InputStream in = new FilterInputStream(new SequenceInputStream(Collections.enumeration(parts))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                reads.incrementAndGet();
                return super.read(b, off, len);
            }
        };
        CollectingHandler collected = new CollectingHandler();
        ProtocolInitializer pipeline = new ProtocolInitializer(() -> collected);
        ChannelInitializer<Channel> manual = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setAutoRead(false);
                ch.pipeline().addLast(pipeline);
            }
        };
        try (StreamTransport t = new StreamTransport(
                () -> new ByteStreams(in, new ByteArrayOutputStream(), () -> { }, "manual"), manual, "test-manual")) {
            Channel ch = Await.get(t.open());
            for (int i = 0; i < sent.size(); i++) {
                ch.read();
                assertEquals(List.of(sent.get(i)), collected.take(1));
                assertTrue(reads.get() <= i + 1, "read ahead without a request: " + reads.get());
            }
            ch.read();
            Await.done(ch.closeFuture()); // the next request finds EOF
        }
    }

    @Test
    void eofLinksAreReopenedByTheReconnector() throws Exception {
        // Each open sees one envelope then EOF, like a port whose host connects briefly and leaves.
        int[] opens = {0};
        CollectingHandler collected = new CollectingHandler();
        StreamTransport.Opener opener = () -> {
            int n = opens[0]++;
            return new ByteStreams(new ByteArrayInputStream(EncodedFrames.of(List.of(envelope(n)))),
                    new ByteArrayOutputStream(), () -> { }, "visit-" + n);
        };
        Backoff fast = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 1);
        try (StreamTransport t = new StreamTransport(opener, new ProtocolInitializer(() -> collected), "test-visits");
             Reconnector r = new Reconnector(t, fast, GlobalEventExecutor.INSTANCE)) {
            r.start();
            assertEquals(List.of(envelope(0), envelope(1), envelope(2)), collected.take(3));
        }
    }
}
