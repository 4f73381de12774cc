package io.vcpubal.lab.experiment;

import java.util.List;
import java.util.Locale;

/**
 * The experiment's chart as hand-drawn SVG: for each workload a group of bars, one per mode, of the median
 * execution time normalised to {@code default} (left panel) and the same for the guests' kernel time
 * (right panel), with a whisker from min to max. Every bar is a {@code rect} with class {@code bar} and
 * {@code data-panel}, {@code data-workload}, {@code data-mode} attributes, so tests and tools can find it.
 */
public final class SvgChart {
    private static final String[] COLOURS = {"#9e9e9e", "#f4a261", "#2a9d8f", "#264653", "#e76f51", "#8ab17d"};
    private static final int PANEL_W = 520;
    private static final int PANEL_H = 300;
    private static final int LEFT = 56;
    private static final int TOP = 72;
    private static final int BOTTOM = 70;
    private static final int GAP = 60;

    private SvgChart() {}

    public static String render(ExperimentResults results) {
        List<String> workloads = results.setup().workloads();
        List<String> modes = results.setup().modes();
        int width = LEFT + 2 * PANEL_W + GAP + 20;
        int height = TOP + PANEL_H + BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">%n", width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc("vcpubal lab: " + results.setup().guests().size() + " guests x " + results.setup().vcpus()
                        + " vCPUs on " + results.setup().hostCpus() + " host CPUs (QEMU TCG, not KVM)")));
        legend(s, modes, LEFT, 38);
        panel(s, results, "exec", "execution time, normalised to default (lower is better)", LEFT, workloads, modes);
        panel(s, results, "sys", "guest kernel time, normalised to default", LEFT + PANEL_W + GAP, workloads, modes);
        s.append("</svg>\n");
        return s.toString();
    }

    private static void legend(StringBuilder s, List<String> modes, int x, int y) {
        for (int m = 0; m < modes.size(); m++) {
            int lx = x + m * 110;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, y - 10, colour(m), lx + 16, y, esc(modes.get(m))));
        }
    }

    private static void panel(StringBuilder s, ExperimentResults r, String panel, String title, int x0,
                              List<String> workloads, List<String> modes) {
        double top = 1.2;
        for (String w : workloads) {
            for (String m : modes) {
                Stats st = stats(r, panel, w, m);
                if (st != null && Double.isFinite(st.max())) {
                    top = Math.max(top, st.max());
                }
            }
        }
        double step = niceStep(top);
        top = Math.ceil(top / step) * step;
        int y0 = TOP + PANEL_H; // baseline
        s.append(String.format(Locale.ROOT, "<g class=\"panel\" data-panel=\"%s\">%n", panel));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
                x0, TOP - 2, esc(title)));
        for (double v = 0; v <= top + 1e-9; v += step) {
            double y = y0 - v / top * (PANEL_H - 14);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>%n",
                    x0, y, x0 + PANEL_W - 10, y, x0 - 4, y + 4, fmt(v)));
        }
        double one = y0 - 1 / top * (PANEL_H - 14);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\""
                + " stroke-dasharray=\"4 3\"/>%n", x0, one, x0 + PANEL_W - 10, one));
        double groupW = (PANEL_W - 10) / (double) workloads.size();
        double barW = Math.min(26, (groupW - 14) / modes.size());
        for (int wi = 0; wi < workloads.size(); wi++) {
            String w = workloads.get(wi);
            double gx = x0 + wi * groupW + (groupW - barW * modes.size()) / 2;
            for (int mi = 0; mi < modes.size(); mi++) {
                String m = modes.get(mi);
                Stats st = stats(r, panel, w, m);
                double median = st == null || !Double.isFinite(st.median()) ? 0 : st.median();
                double h = median / top * (PANEL_H - 14);
                double bx = gx + mi * barW;
                s.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-panel=\"%s\" data-workload=\"%s\""
                        + " data-mode=\"%s\" data-value=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                        + " fill=\"%s\"><title>%s %s: %s</title></rect>%n", panel, esc(w), esc(m),
                        st == null ? "NaN" : fmt(median), bx, y0 - h, barW - 2, h, colour(mi), esc(w), esc(m),
                        st == null ? "no data" : fmt(median) + " (" + fmt(st.min()) + "-" + fmt(st.max()) + ")"));
                if (st != null && Double.isFinite(st.min()) && Double.isFinite(st.max())) {
                    double cx = bx + (barW - 2) / 2;
                    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                            + " stroke=\"black\"/>%n", cx, y0 - st.min() / top * (PANEL_H - 14), cx,
                            y0 - st.max() / top * (PANEL_H - 14)));
                }
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x0 + wi * groupW + groupW / 2, y0 + 18, esc(w)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                x0, y0, x0 + PANEL_W - 10, y0));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"11\">"
                + "bar: median of %d repeat(s); whisker: min-max; dashed: default = 1</text>%n",
                x0, y0 + 40, r.setup().repeats()));
        s.append("</g>\n");
    }

    private static Stats stats(ExperimentResults r, String panel, String w, String m) {
        ExperimentResults.Cell c = r.cell(w, m);
        if (c == null) {
            return null;
        }
        return panel.equals("exec") ? c.execNormalised() : c.sysNormalised();
    }

    static double niceStep(double top) {
        if (top <= 2) {
            return 0.25;
        }
        if (top <= 5) {
            return 0.5;
        }
        if (top <= 10) {
            return 1;
        }
        return Math.pow(10, Math.floor(Math.log10(top))) * (top / Math.pow(10, Math.floor(Math.log10(top))) > 5 ? 2 : 1);
    }

    private static String colour(int i) {
        return COLOURS[i % COLOURS.length];
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
