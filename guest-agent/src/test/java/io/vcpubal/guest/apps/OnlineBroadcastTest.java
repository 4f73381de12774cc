package io.vcpubal.guest.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Subscribers are embedded channels (each its own id, as in a group): their loop runs when the test says so. */
class OnlineBroadcastTest {
    final OnlineBroadcast b = new OnlineBroadcast();

    @Test
    void anOlderReadingNeverReplacesANewerOne() {
        assertTrue(b.publish("online 2 0-1", 200), "the balloon command's result, read at 200");
        assertFalse(b.publish("online 3 0-2", 150), "the report read sysfs at 150, mid-balloon");
        assertEquals("online 2 0-1", b.current());
        assertTrue(b.publish("online 3 0-2", 250), "a later reading wins");
        assertFalse(b.publish("online 3 0-2", 300), "unchanged");
    }

    @Test
    void eachSubscribersLastLineIsTheCurrentOneWhateverOrderItsSendsRunIn() {
        EmbeddedChannel early = new EmbeddedChannel(DefaultChannelId.newInstance());
        b.publish("online 4 0-3", 1);
        b.subscribe(early);
        assertEquals(List.of("online 4 0-3"), lines(early), "a new subscriber gets the current line at once");

        b.publish("online 3 0-2", 2);
        b.publish("online 2 0-1", 3);
        EmbeddedChannel late = new EmbeddedChannel(DefaultChannelId.newInstance());
        b.subscribe(late);
        early.runPendingTasks();
        late.runPendingTasks();
        assertEquals(List.of("online 2 0-1"), lines(early), "queued sends deliver the latest line, once");
        assertEquals(List.of("online 2 0-1"), lines(late));
        assertEquals(2, b.size());
    }

    @Test
    void nothingIsSentBeforeTheFirstPublish() {
        EmbeddedChannel ch = new EmbeddedChannel(DefaultChannelId.newInstance());
        b.subscribe(ch);
        assertNull(ch.readOutbound());
        assertTrue(b.publish("online 1 0", Long.MIN_VALUE), "the first reading is taken whatever its stamp");
        ch.runPendingTasks();
        assertEquals(List.of("online 1 0"), lines(ch));
    }

    private static List<String> lines(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            String s = m instanceof ByteBuf buf ? buf.toString(StandardCharsets.UTF_8) : (String) m;
            out.add(s.strip());
        }
        return out;
    }
}
