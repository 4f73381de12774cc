package io.vcpubal.host.topology;

import io.vcpubal.protocol.CpuSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A host topology as a text file, so that plans can be explored for any host: the output of
 * {@code lscpu -p=CPU,CORE,SOCKET,NODE}, e.g.
 * <pre>
 * # CPU,Core,Socket,Node
 * 0,0,0,0
 * 1,1,0,0
 * </pre>
 * Lines starting with {@code #} are comments and blank lines are skipped. A comment naming the columns
 * the way lscpu writes it (e.g. {@code # CPU,Core,Socket,Node}, any order and case, with a CPU column)
 * sets the column order, so plain
 * {@code lscpu -p} output with its extra cache columns is accepted too; without such a header the
 * columns are CPU,CORE,SOCKET,NODE. CPU, CORE and SOCKET must be non-negative integers; an empty NODE
 * (lscpu prints one on hosts without NUMA information) or a missing NODE column means node 0. lscpu's
 * CORE numbers are unique across sockets, which a per-socket core id also allows.
 *
 * <p>Parsing is strict: every problem is reported as {@code line N: ...}.
 */
public final class TopologyFile {

    private static final List<String> DEFAULT_COLUMNS = List.of("CPU", "CORE", "SOCKET", "NODE");

    private TopologyFile() {
    }

    /**
     * Reads and parses a topology file.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException naming the file and line of the first problem
     */
    public static HostTopology read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        try {
            return parse(lines);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the lines of a topology file.
     *
     * @throws IllegalArgumentException with the line number of the first problem
     */
    public static HostTopology parse(List<String> lines) {
        List<String> columns = DEFAULT_COLUMNS;
        int cpuCol = 0;
        int coreCol = 1;
        int socketCol = 2;
        int nodeCol = 3;
        boolean sawData = false;
        List<HostTopology.Cpu> cpus = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                List<String> header = headerColumns(line);
                if (header != null) {
                    if (sawData) {
                        throw error(lineNo, "column header \"" + line + "\" after data lines");
                    }
                    columns = header;
                    cpuCol = required(header, "CPU", lineNo);
                    coreCol = required(header, "CORE", lineNo);
                    socketCol = required(header, "SOCKET", lineNo);
                    nodeCol = header.indexOf("NODE");
                }
                continue;
            }
            sawData = true;
            String[] fields = line.split(",", -1);
            if (fields.length != columns.size()) {
                throw error(lineNo, "expected " + columns.size() + " comma-separated fields "
                        + String.join(",", columns) + ", got " + fields.length + ": \"" + line + "\"");
            }
            int cpu = number(fields[cpuCol], "CPU", lineNo);
            int core = number(fields[coreCol], "CORE", lineNo);
            int socket = number(fields[socketCol], "SOCKET", lineNo);
            int node = nodeCol < 0 || fields[nodeCol].isBlank() ? 0 : number(fields[nodeCol], "NODE", lineNo);
            if (cpu > CpuSet.MAX_CPU) {
                throw error(lineNo, "CPU " + cpu + " is above the limit " + CpuSet.MAX_CPU);
            }
            if (!seen.add(cpu)) {
                throw error(lineNo, "CPU " + cpu + " is listed twice");
            }
            cpus.add(new HostTopology.Cpu(cpu, core, socket, node));
        }
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no CPU lines found (expected lscpu -p=CPU,CORE,SOCKET,NODE output)");
        }
        try {
            return HostTopology.of(cpus);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inconsistent topology: " + e.getMessage(), e);
        }
    }

    /** Writes a topology in the same format, readable by {@link #parse}. */
    public static List<String> format(HostTopology topology) {
        List<String> lines = new ArrayList<>();
        lines.add("# CPU,Core,Socket,Node");
        for (HostTopology.Cpu cpu : topology.cpuList()) {
            lines.add(cpu.id() + "," + cpu.coreId() + "," + cpu.socketId() + "," + cpu.nodeId());
        }
        return lines;
    }

    /** The upper-cased column names of a column-header comment (one with a CPU field), or null. */
    private static List<String> headerColumns(String comment) {
        List<String> names = new ArrayList<>();
        for (String name : comment.substring(1).split(",", -1)) {
            names.add(name.strip().toUpperCase(Locale.ROOT));
        }
        return names.size() > 1 && names.contains("CPU") ? names : null;
    }

    private static int required(List<String> header, String name, int lineNo) {
        int index = header.indexOf(name);
        if (index < 0) {
            throw error(lineNo, "column header lacks " + name + " (use lscpu -p=CPU,CORE,SOCKET,NODE)");
        }
        return index;
    }

    private static int number(String field, String column, int lineNo) {
        String text = field.strip();
        if (text.isEmpty()) {
            throw error(lineNo, column + " is empty (offline CPU? list online CPUs only: lscpu -p without --all)");
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw error(lineNo, column + " \"" + text + "\" is not a non-negative integer");
            }
        }
        if (text.length() > 9) {
            throw error(lineNo, column + " \"" + text + "\" is too large");
        }
        return Integer.parseInt(text);
    }

    private static IllegalArgumentException error(int lineNo, String message) {
        return new IllegalArgumentException("line " + lineNo + ": " + message);
    }
}
