package io.switchyard.agent.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws a {@link CostCurve} as an SVG: on the left, seconds (log scale) against services for the
 * first sync, its kernel floor, one change and the burst; on the right, peak RSS against
 * services. Plain SVG text, no library: a picture anyone can open beside the table.
 */
public final class CurvePlot {

    private static final int PANEL_W = 420;
    private static final int PANEL_H = 300;
    private static final int MARGIN = 60;

    private record Series(String name, String color, ToDoubleFunction<CostCurve.Point> value, boolean dashed) {
    }

    private CurvePlot() {
    }

    /** The SVG document for the points (at least two sizes). */
    public static String svg(List<CostCurve.Point> points, String title) {
        if (points.size() < 2) {
            throw new IllegalArgumentException("a curve needs at least two sizes");
        }
        StringBuilder svg = new StringBuilder(8192);
        int width = 2 * (PANEL_W + MARGIN) + MARGIN;
        int height = PANEL_H + 2 * MARGIN;
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", MARGIN, escape(title)));
        List<Series> times = List.of(
                new Series("first sync", "#1f77b4", CostCurve.Point::firstSync, false),
                new Series("kernel floor (staged restore)", "#1f77b4", CostCurve.Point::floor, true),
                new Series("burst", "#2ca02c", CostCurve.Point::burst, false),
                new Series("one change", "#d62728", CostCurve.Point::oneChange, false));
        panel(svg, points, times, MARGIN, "seconds (log)", true);
        panel(svg, points, List.of(new Series("peak RSS (MB)", "#9467bd", p -> p.peakRssBytes() / 1e6, false)),
                2 * MARGIN + PANEL_W, "MB", false);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(StringBuilder svg, List<CostCurve.Point> points, List<Series> series, int left,
                              String unit, boolean log) {
        int top = MARGIN;
        double minX = points.getFirst().services();
        double maxX = points.getLast().services();
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (Series s : series) {
            for (CostCurve.Point p : points) {
                double v = s.value().applyAsDouble(p);
                if (Double.isFinite(v) && v > 0) {
                    minY = Math.min(minY, v);
                    maxY = Math.max(maxY, v);
                }
            }
        }
        if (log) {
            minY = Math.pow(10, Math.floor(Math.log10(minY)));
            maxY = Math.pow(10, Math.ceil(Math.log10(maxY)));
        } else {
            minY = 0;
            maxY = niceCeiling(maxY);
        }
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                left, top, PANEL_W, PANEL_H));
        // y ticks
        if (log) {
            for (double v = minY; v <= maxY * 1.0001; v *= 10) {
                double y = y(v, minY, maxY, top, true);
                tick(svg, left, y, format(v));
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                double v = minY + (maxY - minY) * i / 5;
                tick(svg, left, y(v, minY, maxY, top, false), format(v));
            }
        }
        // x ticks: one per measured size
        for (CostCurve.Point p : points) {
            double x = x(p.services(), minX, maxX, left);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, top, x, top + PANEL_H, x, top + PANEL_H + 16, format(p.services())));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">services × 10 endpoints</text>%n",
                left + PANEL_W / 2, top + PANEL_H + 34));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left, top - 8, unit));
        int legend = 0;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (CostCurve.Point p : points) {
                double v = s.value().applyAsDouble(p);
                if (!Double.isFinite(v) || v <= 0) {
                    continue;
                }
                double x = x(p.services(), minX, maxX, left);
                double y = y(v, minY, maxY, top, log);
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, s.color()));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    path, s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            int ly = top + 14 + 16 * legend++;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    left + 10, ly - 4, left + 34, ly - 4, s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : "",
                    left + 40, ly, escape(s.name())));
        }
    }

    private static void tick(StringBuilder svg, int left, double y, String label) {
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                left, y, left + PANEL_W, y, left - 6, y + 4, label));
    }

    /** Services on a log scale: the sizes span 1k to 50k. */
    private static double x(double services, double min, double max, int left) {
        double f = (Math.log(services) - Math.log(min)) / (Math.log(max) - Math.log(min));
        return left + 20 + f * (PANEL_W - 40);
    }

    private static double y(double v, double min, double max, int top, boolean log) {
        double f = log ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min)) : (v - min) / (max - min);
        return top + PANEL_H - f * PANEL_H;
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v >= 1000 && v == Math.rint(v)) {
            return v % 1000 == 0 ? (long) (v / 1000) + "k" : String.format(Locale.ROOT, "%.1fk", v / 1000);
        }
        return v >= 1 ? String.format(Locale.ROOT, "%.0f", v)
                : new java.math.BigDecimal(String.format(Locale.ROOT, "%.2g", v)).stripTrailingZeros().toPlainString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
