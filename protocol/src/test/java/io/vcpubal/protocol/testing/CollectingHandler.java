package io.vcpubal.protocol.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.vcpubal.protocol.v1.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Queues every Envelope and every exception it sees, for a test thread to take. */
@Sharable
public final class CollectingHandler extends SimpleChannelInboundHandler<Envelope> {
    /** Generous bound that only turns a hang into a failure; tests never assert on time. */
    private static final long TIMEOUT_SECONDS = 30;

    private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
        received.add(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors.add(cause);
        ctx.close();
    }

    /** The next {@code n} Envelopes, failing if they do not arrive. */
    public List<Envelope> take(int n) throws InterruptedException {
        List<Envelope> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Envelope e = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(e, "only " + i + " of " + n + " envelopes arrived; errors: " + errors);
            out.add(e);
        }
        return out;
    }

    /** Envelopes received but not yet taken. */
    public List<Envelope> drain() {
        List<Envelope> out = new ArrayList<>();
        received.drainTo(out);
        return out;
    }

    /** Exceptions seen so far. */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }
}
