package io.switchyard.agent.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cost-curve plot: one line per series with a point per size, the table beside it. */
class CurvePlotTest {

    private static final List<CostCurve.Point> POINTS = List.of(
            new CostCurve.Point(1_000, 0.9, 0.04, 0.2, 200, 120_000_000L, 0.4),
            new CostCurve.Point(10_000, 9.0, 0.13, 0.4, 200, 300_000_000L, 7.1),
            new CostCurve.Point(50_000, 55.0, 0.28, 1.1, 200, 900_000_000L, Double.NaN));

    @Test
    void everySeriesIsDrawnThroughItsMeasuredPoints() {
        String svg = CurvePlot.svg(POINTS, "a & b");

        assertThat(svg).startsWith("<svg ").endsWith("</svg>\n").contains("a &amp; b");
        assertThat(svg).contains("first sync", "kernel floor", "one change", "burst", "peak RSS");
        // 3 points each for four series, 2 for the floor (its 50k value is missing).
        assertThat(svg.split("<circle ", -1).length - 1).isEqualTo(3 + 2 + 3 + 3 + 3);
        assertThat(svg).contains(">1k<", ">10k<", ">50k<");
    }

    @Test
    void aCurveNeedsTwoSizesAndTheTableHasOneRowEach() {
        assertThatThrownBy(() -> CurvePlot.svg(POINTS.subList(0, 1), "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CostCurve.table(POINTS).lines()).hasSize(2 + 3);
        assertThat(CostCurve.table(POINTS)).contains("| 10,000 | 9.00 s | 7.10 s | 0.130 s | 0.40 s (200) | 300 MB |");
    }
}
