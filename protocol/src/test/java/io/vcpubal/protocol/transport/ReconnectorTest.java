package io.vcpubal.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Driven step by step on the test thread: a scripted transport and a timer that only records. */
class ReconnectorTest {
    /** Records scheduled tasks and their delays; the test runs them with {@link #runNext()}. */
    private static final class ManualTimer extends ScheduledThreadPoolExecutor {
        final Deque<Runnable> tasks = new ArrayDeque<>();
        final List<Duration> delays = new ArrayList<>();

        ManualTimer() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            tasks.add(task);
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            return super.schedule(() -> { }, 1, TimeUnit.DAYS); // a real handle that cancel() can act on
        }

        void runNext() {
            tasks.remove().run();
        }
    }

    /** Each open() takes the next scripted outcome: a channel, or a failure. */
    private static final class ScriptedTransport implements Transport {
        final Deque<Optional<Channel>> outcomes = new ArrayDeque<>();
        int opens;

        void fails() {
            outcomes.add(Optional.empty());
        }

        void succeeds(Channel ch) {
            outcomes.add(Optional.of(ch));
        }

        @Override
        public Future<Channel> open() {
            opens++;
            Channel ch = outcomes.remove().orElse(null);
            return ch == null
                    ? ImmediateEventExecutor.INSTANCE.newFailedFuture(new IOException("Connection refused"))
                    : ImmediateEventExecutor.INSTANCE.newSucceededFuture(ch);
        }

        @Override
        public void close() {
        }
    }

    private final ManualTimer timer = new ManualTimer();
    private long now;
    private final ScriptedTransport transport = new ScriptedTransport();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void failedOpensBackOffAndAnEndedLinkIsReopenedAfterTheInitialPause() {
        EmbeddedChannel link = new EmbeddedChannel();
        transport.fails();
        transport.fails();
        transport.fails();
        transport.succeeds(link);
        transport.succeeds(new EmbeddedChannel());
        Reconnector r = new Reconnector(transport, Backoff.DEFAULT, timer, () -> now);
        r.start();
        r.start(); // idempotent
        assertEquals(1, transport.opens);
        timer.runNext();
        timer.runNext();
        timer.runNext();
        assertEquals(4, transport.opens);
        assertSame(link, r.current());
        assertTrue(timer.tasks.isEmpty(), "nothing scheduled while the link is up");

        now += Duration.ofSeconds(2).toNanos();
        link.close();
        assertNull(r.current());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(100)), timer.delays, "a link that lived 2 s is reopened after the initial pause");
        timer.runNext();
        assertEquals(5, transport.opens);
        r.close();
    }

    @Test
    void linksThatEndAtOnceBackOffLikeFailedOpens() {
        for (int i = 0; i < 4; i++) {
            transport.succeeds(new EmbeddedChannel());
        }
        Reconnector r = new Reconnector(transport, Backoff.DEFAULT, timer, () -> now);
        r.start();
        for (int i = 0; i < 3; i++) {
            r.current().close(); // EOF right after open: a virtio port with no host
            timer.runNext();
        }
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)), timer.delays);
        r.close();
    }

    @Test
    void closeClosesTheLinkAndStopsReopening() {
        EmbeddedChannel link = new EmbeddedChannel();
        transport.succeeds(link);
        Reconnector r = new Reconnector(transport, Backoff.DEFAULT, timer);
        r.start();
        r.close();
        assertFalse(link.isOpen());
        assertTrue(timer.tasks.isEmpty(), "no re-open after close");
        assertEquals(1, transport.opens);
    }

    @Test
    void closeDuringAPauseCancelsTheNextOpen() {
        transport.fails();
        Reconnector r = new Reconnector(transport, Backoff.DEFAULT, timer);
        r.start();
        assertEquals(1, timer.tasks.size());
        r.close();
        timer.runNext(); // the timer fired anyway (cancel raced): still no open
        assertEquals(1, transport.opens);
    }
}
