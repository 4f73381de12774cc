package io.vcpubal.host.backend.libvirt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.vcpubal.host.backend.VcpuThread;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: the vCPU thread ids from QEMU's answer to {@code query-cpus-fast}, asked through libvirt's own monitor
 * ({@code virDomainQemuMonitorCommand}): libvirt's public API has no call that names vCPU threads, and a second
 * monitor connection is what the libvirt backend must not need. The answer comes from QEMU, not from the
 * guest, but is bounded all the same.
 */
final class QmpVcpuThreads {
    static final String COMMAND = "{\"execute\":\"query-cpus-fast\"}";
    /** query-cpus-fast spends about 200 bytes per vCPU; this is far past QEMU's 4096-vCPU limit. */
    static final int MAX_CHARS = 4 << 20;

    private QmpVcpuThreads() {}

    /** @throws IllegalArgumentException when the answer is not a list of vCPUs with index and thread id */
    static List<VcpuThread> parse(String answer) {
        if (answer == null || answer.length() > MAX_CHARS) {
            throw new IllegalArgumentException("query-cpus-fast answer missing or over " + MAX_CHARS + " characters");
        }
        try {
            JsonElement root = JsonParser.parseString(answer);
            JsonElement ret = root.isJsonObject() ? root.getAsJsonObject().get("return") : null;
            if (ret == null || !ret.isJsonArray()) {
                throw new IllegalArgumentException("query-cpus-fast answer has no return list: " + quote(answer));
            }
            JsonArray cpus = ret.getAsJsonArray();
            List<VcpuThread> out = new ArrayList<>();
            for (JsonElement e : cpus) {
                JsonObject o = e.getAsJsonObject();
                int index = o.get("cpu-index").getAsInt();
                int tid = o.get("thread-id").getAsInt();
                if (index < 0 || index >= DomainXml.MAX_VCPUS || tid <= 0) {
                    throw new IllegalArgumentException("query-cpus-fast: vCPU " + index + " thread " + tid + " out of range");
                }
                out.add(new VcpuThread(index, tid));
            }
            out.sort(java.util.Comparator.comparingInt(VcpuThread::cpuIndex));
            return out;
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 | NumberFormatException e) {
            throw new IllegalArgumentException("malformed query-cpus-fast answer: " + quote(answer), e);
        }
    }

    private static String quote(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
