package io.vcpubal.host.link;

import io.netty.channel.EventLoopGroup;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop of every {@link GuestLink}, and their one-second tick (Hello while unanswered, silence
 * checks) as a single timer for all of them. A timer per link would wake the loop once per link per second,
 * at scattered instants, and Netty's NIO loop busy-polls for up to half a millisecond before each deadline:
 * with hundreds of VMs that alone costs a sizeable share of a core (the fleet simulator measured it).
 */
public final class LinkTicker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinkTicker.class);

    private final EventLoopGroup loop;
    private final Set<GuestLink> links = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> timer;

    public LinkTicker(EventLoopGroup loop) {
        this.loop = loop;
        this.timer = loop.scheduleAtFixedRate(this::tickAll, 1, 1, TimeUnit.SECONDS);
    }

    EventLoopGroup loop() {
        return loop;
    }

    void add(GuestLink link) {
        links.add(link);
    }

    void remove(GuestLink link) {
        links.remove(link);
    }

    private void tickAll() {
        for (GuestLink link : links) {
            try {
                link.tick();
            } catch (RuntimeException e) {
                LOG.warn("VM {}: link tick failed: {}", link.vm(), e.toString()); // one link's bug stays its own
            }
        }
    }

    /** Stops the tick; the loop stays its owner's. */
    @Override
    public void close() {
        timer.cancel(false);
    }
}
