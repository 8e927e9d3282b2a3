package io.switchyard.agent.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes metric snapshots in the Prometheus text format (0.0.4) the way Go's client_golang does
 * for kube-proxy: families sorted by name, samples sorted by label values, numbers printed as Go's
 * {@code strconv.FormatFloat(v, 'g', -1, 64)} ({@code 1}, {@code 0.25}, {@code 1.7e+09}), bucket
 * and sample counts as integers, histograms as buckets then {@code _sum} then {@code _count}. The
 * Java client's own writer prints {@code 1.0} and {@code 1.7E9} and keeps registration order.
 */
public final class PrometheusText {

    /** What client_golang answers a text scrape with. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    public static void write(MetricSnapshots snapshots, Writer out) throws IOException {
        List<MetricSnapshot> families = new ArrayList<>();
        snapshots.forEach(families::add);
        families.sort(Comparator.comparing(PrometheusText::familyName));
        for (MetricSnapshot family : families) {
            if (!family.getDataPoints().isEmpty()) {
                writeFamily(family, out);
            }
        }
        out.flush();
    }

    /** The family name as exposed: counters end in {@code _total}, info metrics in {@code _info}. */
    static String familyName(MetricSnapshot snapshot) {
        String name = snapshot.getMetadata().getPrometheusName();
        return switch (snapshot) {
            case CounterSnapshot c -> name.endsWith("_total") ? name : name + "_total";
            case InfoSnapshot i -> name.endsWith("_info") ? name : name + "_info";
            default -> name;
        };
    }

    private static void writeFamily(MetricSnapshot family, Writer out) throws IOException {
        String name = familyName(family);
        String help = family.getMetadata().getHelp();
        if (help != null && !help.isEmpty()) {
            out.write("# HELP " + name + " " + escapeHelp(help) + "\n");
        }
        out.write("# TYPE " + name + " " + type(family) + "\n");
        List<? extends DataPointSnapshot> points = new ArrayList<>(family.getDataPoints());
        points.sort(Comparator.comparing(DataPointSnapshot::getLabels, PrometheusText::compareLabelValues));
        for (DataPointSnapshot point : points) {
            switch (point) {
                case CounterSnapshot.CounterDataPointSnapshot c ->
                        sample(out, name, c.getLabels(), null, null, goFloat(c.getValue()));
                case GaugeSnapshot.GaugeDataPointSnapshot g ->
                        sample(out, name, g.getLabels(), null, null, goFloat(g.getValue()));
                case UnknownSnapshot.UnknownDataPointSnapshot u ->
                        sample(out, name, u.getLabels(), null, null, goFloat(u.getValue()));
                case InfoSnapshot.InfoDataPointSnapshot i -> sample(out, name, i.getLabels(), null, null, "1");
                case HistogramSnapshot.HistogramDataPointSnapshot h -> writeHistogram(out, name, h);
                case SummarySnapshot.SummaryDataPointSnapshot s -> writeSummary(out, name, s);
                case StateSetSnapshot.StateSetDataPointSnapshot s -> {
                    for (int i = 0; i < s.size(); i++) {
                        sample(out, name, s.getLabels(), name, s.getName(i), s.isTrue(i) ? "1" : "0");
                    }
                }
                default -> throw new IllegalStateException("unexpected data point " + point.getClass());
            }
        }
    }

    private static String type(MetricSnapshot family) {
        return switch (family) {
            case CounterSnapshot c -> "counter";
            case GaugeSnapshot g -> "gauge";
            case HistogramSnapshot h -> "histogram";
            case SummarySnapshot s -> "summary";
            case InfoSnapshot i -> "gauge";
            case StateSetSnapshot s -> "gauge";
            default -> "untyped";
        };
    }

    private static void writeHistogram(Writer out, String name, HistogramSnapshot.HistogramDataPointSnapshot h)
            throws IOException {
        ClassicHistogramBuckets buckets = h.getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < buckets.size(); i++) {
            cumulative += buckets.getCount(i);
            sample(out, name + "_bucket", h.getLabels(), "le", goFloat(buckets.getUpperBound(i)),
                    Long.toString(cumulative));
        }
        if (buckets.isEmpty()) {
            sample(out, name + "_bucket", h.getLabels(), "le", "+Inf", Long.toString(h.getCount()));
        }
        sample(out, name + "_sum", h.getLabels(), null, null, goFloat(h.hasSum() ? h.getSum() : 0));
        sample(out, name + "_count", h.getLabels(), null, null,
                Long.toString(h.hasCount() ? h.getCount() : cumulative));
    }

    private static void writeSummary(Writer out, String name, SummarySnapshot.SummaryDataPointSnapshot s)
            throws IOException {
        for (Quantile quantile : s.getQuantiles()) {
            sample(out, name, s.getLabels(), "quantile", goFloat(quantile.getQuantile()), goFloat(quantile.getValue()));
        }
        sample(out, name + "_sum", s.getLabels(), null, null, goFloat(s.hasSum() ? s.getSum() : 0));
        sample(out, name + "_count", s.getLabels(), null, null, Long.toString(s.hasCount() ? s.getCount() : 0));
    }

    /** One line: name, labels (then the extra one, {@code le} or {@code quantile}, when given), value. */
    private static void sample(Writer out, String name, Labels labels, String extraName, String extraValue,
                               String value) throws IOException {
        out.write(name);
        if (!labels.isEmpty() || extraName != null) {
            out.write('{');
            for (int i = 0; i < labels.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(labels.getPrometheusName(i) + "=\"" + escapeLabelValue(labels.getValue(i)) + "\"");
            }
            if (extraName != null) {
                out.write((labels.isEmpty() ? "" : ",") + extraName + "=\"" + escapeLabelValue(extraValue) + "\"");
            }
            out.write('}');
        }
        out.write(' ');
        out.write(value);
        out.write('\n');
    }

    private static int compareLabelValues(Labels a, Labels b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int byValue = a.getValue(i).compareTo(b.getValue(i));
            if (byValue != 0) {
                return byValue;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /**
     * Go's {@code strconv.FormatFloat(v, 'g', -1, 64)} as client_golang prints values: the
     * shortest digits that read back as {@code v}, in exponent form when the exponent is below
     * -4 or at least 6 ({@code 1e+06}, {@code 1.5e-05}), else plain ({@code 123456}, {@code 0.0001}).
     */
    static String goFloat(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return "0";
        }
        // Double.toString gives the shortest round-tripping digits (JDK 19+), as Go's shortest mode.
        BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = decimal.unscaledValue().toString();
        int exponent = digits.length() - 1 - decimal.scale();
        StringBuilder out = new StringBuilder(24);
        if (v < 0) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= 6) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            if (magnitude < 10) {
                out.append('0');
            }
            out.append(magnitude);
        } else if (exponent < 0) {
            out.append("0.");
            out.append("0".repeat(-exponent - 1));
            out.append(digits);
        } else if (digits.length() <= exponent + 1) {
            out.append(digits).append("0".repeat(exponent + 1 - digits.length()));
        } else {
            out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return out.toString();
    }
}
