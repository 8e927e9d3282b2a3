package io.switchyard.agent.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The text exposition, byte for byte as client_golang writes it for kube-proxy. */
class PrometheusTextTest {

    @ParameterizedTest
    @CsvSource({
            "1, 1", "0, 0", "-1, -1", "0.001, 0.001", "16.384, 16.384", "0.25, 0.25", "300, 300",
            "123456, 123456", "1000000, 1e+06", "1234567, 1.234567e+06", "1700000000.5, 1.7000000005e+09",
            "0.0001, 0.0001", "0.00001, 1e-05", "0.000015, 1.5e-05", "-2.5, -2.5", "1e21, 1e+21",
            "6.320816128e9, 6.320816128e+09", "100, 100", "0.1, 0.1", "1e-300, 1e-300"})
    void numbersAreGosShortestGFormat(double value, String expected) {
        assertThat(PrometheusText.goFloat(value)).isEqualTo(expected);
    }

    @Test
    void specialValues() {
        assertThat(PrometheusText.goFloat(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.goFloat(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.goFloat(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(PrometheusText.goFloat(-0.0)).isEqualTo("0");
    }

    @Test
    void familiesSortByNameSamplesByLabelValuesAndHistogramsEndWithSumThenCount() throws Exception {
        MetricSnapshots snapshots = MetricSnapshots.of(
                GaugeSnapshot.builder().name("b_rules").help("Rules \\ per\ntable")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(Labels.of("table", "nat")).value(12).build())
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(Labels.of("table", "fil\"ter\n")).value(4).build())
                        .build(),
                HistogramSnapshot.builder().name("a_seconds").help("Latency")
                        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                                .classicHistogramBuckets(ClassicHistogramBuckets.of(
                                        new double[] {0.5, 1, Double.POSITIVE_INFINITY}, new long[] {1, 2, 0}))
                                .sum(2.25).build())
                        .build(),
                CounterSnapshot.builder().name("c_events").help("Events")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(1234567).build())
                        .build(),
                SummarySnapshot.builder().name("d_pause_seconds")
                        .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                                .labels(Labels.of("gc", "young"))
                                .quantiles(Quantiles.of(new Quantile(0.5, 0.002)))
                                .sum(0.01).count(4).build())
                        .build());
        StringWriter out = new StringWriter();
        PrometheusText.write(snapshots, out);
        assertThat(out.toString()).isEqualTo("""
                # HELP a_seconds Latency
                # TYPE a_seconds histogram
                a_seconds_bucket{le="0.5"} 1
                a_seconds_bucket{le="1"} 3
                a_seconds_bucket{le="+Inf"} 3
                a_seconds_sum 2.25
                a_seconds_count 3
                # HELP b_rules Rules \\\\ per\\ntable
                # TYPE b_rules gauge
                b_rules{table="fil\\"ter\\n"} 4
                b_rules{table="nat"} 12
                # HELP c_events_total Events
                # TYPE c_events_total counter
                c_events_total 1.234567e+06
                # TYPE d_pause_seconds summary
                d_pause_seconds{gc="young",quantile="0.5"} 0.002
                d_pause_seconds_sum{gc="young"} 0.01
                d_pause_seconds_count{gc="young"} 4
                """);
    }
}
