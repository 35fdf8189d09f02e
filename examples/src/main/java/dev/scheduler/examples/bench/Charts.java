package dev.scheduler.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts as SVG for a run's figures (lateness percentiles against load, executions/s against partitions):
 * plain SVG 1.1 with no scripts or external references, so that a browser or docs/performance.md shows it as is.
 */
final class Charts {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

    /** One line: its name and its points, in x order. */
    record Series(String name, List<double[]> points) {
        Series {
            points = List.copyOf(points);
        }
    }

    private Charts() {}

    /**
     * A chart of {@code series} against a common x axis, both axes from 0 (or, with {@code logX}, the x axis in
     * powers of the smallest x, as for partition counts 16, 64, 256).
     */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, boolean logX) {
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xMin = Math.min(xMin, p[0]);
                xMax = Math.max(xMax, p[0]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (xMin == Double.MAX_VALUE) {
            throw new IllegalArgumentException("a chart needs at least one point");
        }
        if (logX && xMin <= 0) {
            throw new IllegalArgumentException("a logarithmic x axis needs positive x values, the least was " + xMin);
        }
        double x0 = logX ? Math.log(xMin) : 0;
        double x1 = logX ? Math.log(xMax) : xMax;
        if (x1 <= x0) {
            x1 = x0 + 1;
        }
        double yTop = niceCeiling(yMax);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(WIDTH / 2.0, 22, "middle", 15, title));
        // axes, y grid and ticks
        svg.append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "black"));
        svg.append(line(LEFT, TOP, LEFT, TOP + plotH, "black"));
        for (int i = 0; i <= 5; i++) {
            double v = yTop * i / 5;
            double y = TOP + plotH - plotH * i / 5;
            svg.append(line(LEFT, y, LEFT + plotW, y, "#dddddd"));
            svg.append(text(LEFT - 6, y + 4, "end", 12, number(v)));
        }
        List<Double> xs = new ArrayList<>();
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (!xs.contains(p[0])) {
                    xs.add(p[0]);
                }
            }
        }
        for (double x : xs) {
            double px = LEFT + plotW * ((logX ? Math.log(x) : x) - x0) / (x1 - x0);
            svg.append(line(px, TOP + plotH, px, TOP + plotH + 5, "black"));
            svg.append(text(px, TOP + plotH + 18, "middle", 12, number(x)));
        }
        svg.append(text(LEFT + plotW / 2, HEIGHT - 12, "middle", 13, xLabel));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 %.1f)\">"
                        + "%s</text>%n",
                TOP + plotH / 2,
                TOP + plotH / 2,
                escape(yLabel)));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                double px = LEFT + plotW * ((logX ? Math.log(p[0]) : p[0]) - x0) / (x1 - x0);
                double py = TOP + plotH - plotH * p[1] / yTop;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                svg.append(String.format(
                        Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, color));
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    color,
                    pts.toString().trim()));
            double ly = TOP + 10 + i * 20;
            svg.append(line(WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 35, ly, color));
            svg.append(text(WIDTH - RIGHT + 40, ly + 4, "start", 12, s.name()));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The least of 1, 2 or 5 times a power of ten at or above {@code v} (at least 1). */
    static double niceCeiling(double v) {
        if (v <= 1) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= v) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1,
                y1,
                x2,
                y2,
                color);
    }

    private static String text(double x, double y, String anchor, int size, String s) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x,
                y,
                anchor,
                size,
                escape(s));
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
