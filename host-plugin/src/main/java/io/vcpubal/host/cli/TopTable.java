package io.vcpubal.host.cli;

import io.vcpubal.host.accounting.TopView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a {@link TopView} as the text tables of {@code vcpubal-host top}: VMs, processes, classes. */
public final class TopTable {
    /** Widest a column gets; longer values are cut and end in {@value #CUT}. */
    static final int VM_WIDTH = 16;
    static final int NAME_WIDTH = 20;
    static final int CLASS_WIDTH = 12;
    static final String CUT = "+";

    private TopTable() {}

    /** One column: its header, widest value (0 = any) and whether numbers are right-aligned in it. */
    private record Column(String header, int max, boolean right) {}

    public static List<String> render(TopView view) {
        List<String> out = new ArrayList<>();
        if (view.vms().isEmpty() && view.processes().isEmpty()) {
            out.add("no rows yet: a VM shows once the host has seen its agent bring two new process lists (within"
                    + " two process periods, 10 s by default)");
            return out;
        }
        List<String[]> vms = new ArrayList<>();
        for (TopView.VmRow v : view.vms()) {
            vms.add(new String[] {v.vm(), percent(v.guestBusyPercent()), percent(v.hostRunPercent()),
                    v.factor() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", v.factor()),
                    v.wantCpus() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", v.wantCpus()),
                    String.format(Locale.ROOT, "%.1f s", v.intervalMs() / 1000.0)});
        }
        table(out, List.of(new Column("VM", VM_WIDTH, false), new Column("GUEST BUSY%", 0, true),
                new Column("HOST RAN%", 0, true), new Column("FACTOR", 0, true), new Column("WANT", 0, true),
                new Column("INTERVAL", 0, true)), vms);
        out.add("");
        List<String[]> processes = new ArrayList<>();
        for (TopView.ProcessRow p : view.processes()) {
            processes.add(new String[] {p.vm(), Integer.toString(p.pid()), p.name(), p.className(),
                    percent(p.guestPercent()), percent(p.hostPercent())});
        }
        table(out, List.of(new Column("VM", VM_WIDTH, false), new Column("PID", 0, true),
                new Column("NAME", NAME_WIDTH, false), new Column("CLASS", CLASS_WIDTH, false),
                new Column("GUEST%", 0, true), new Column("HOST%", 0, true)), processes);
        out.add("");
        if (view.classes().isEmpty()) {
            out.add("no process classes in force");
            return out;
        }
        List<String[]> classes = new ArrayList<>();
        for (TopView.ClassRow c : view.classes()) {
            classes.add(new String[] {c.vm(), c.className(), percent(c.guestPercent()), percent(c.hostPercent())});
        }
        table(out, List.of(new Column("VM", VM_WIDTH, false), new Column("CLASS", CLASS_WIDTH, false),
                new Column("GUEST%", 0, true), new Column("HOST%", 0, true)), classes);
        return out;
    }

    /** Percent of one CPU with one decimal; "-" when unknown. */
    static String percent(double p) {
        return p < 0 ? "-" : String.format(Locale.ROOT, "%.1f", p);
    }

    static String cut(String s, int max) {
        return max == 0 || s.length() <= max ? s : s.substring(0, max - CUT.length()) + CUT;
    }

    private static void table(List<String> out, List<Column> columns, List<String[]> rows) {
        int[] width = new int[columns.size()];
        List<String[]> cells = new ArrayList<>();
        String[] header = columns.stream().map(Column::header).toArray(String[]::new);
        cells.add(header);
        for (String[] r : rows) {
            String[] c = new String[r.length];
            for (int i = 0; i < r.length; i++) {
                c[i] = cut(r[i], columns.get(i).max());
            }
            cells.add(c);
        }
        for (String[] r : cells) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(columns.get(i).right() ? pad + r[i] : r[i] + pad);
            }
            out.add(line.toString().stripTrailing());
        }
    }
}
