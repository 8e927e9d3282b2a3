package io.switchyard.rules.iptables;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The --probability strings must equal kube-proxy's %0.10f output, or every restore rewrites every SVC chain. */
class ProbabilitiesTest {

    /** The exact rational 1/n rounded half-to-even to ten decimals, independent of any double arithmetic. */
    private static String exactOneIn(int n) {
        return BigDecimal.ONE.divide(BigDecimal.valueOf(n), 10, RoundingMode.HALF_EVEN).toPlainString();
    }

    @Test
    void agreesWithTheExactRationalForEveryEndpointCountUpTo2048() {
        Probabilities probabilities = new Probabilities();
        List<String> mismatches = new ArrayList<>();

        for (int n = 1; n <= 2048; n++) {
            String actual = probabilities.oneIn(n);
            if (!actual.equals(exactOneIn(n))) {
                mismatches.add("n=" + n + ": " + actual + " != " + exactOneIn(n));
            }
        }

        assertThat(mismatches).isEmpty();
    }

    @Test
    void everyValueHasExactlyTenDecimals() {
        Probabilities probabilities = new Probabilities();

        for (int n = 1; n <= 2048; n++) {
            assertThat(probabilities.oneIn(n)).as("n=%d", n).matches("[01]\\.\\d{10}");
        }
    }

    @ParameterizedTest(name = "1/{0} = {1}")
    @CsvSource({
            "1,    1.0000000000",
            "2,    0.5000000000",
            "3,    0.3333333333",
            "6,    0.1666666667",
            "7,    0.1428571429",
            "2048, 0.0004882812",
    })
    void knownValues(int n, String expected) {
        assertThat(new Probabilities().oneIn(n)).isEqualTo(expected);
        assertThat(Probabilities.format(n)).isEqualTo(expected);
    }

    @Test
    void exactTieAt2048RoundsHalfToEvenUnlikeStringFormat() {
        // 1/2048 = 0.00048828125 exactly: half-even keeps the 2, HALF_UP (String.format) would print ...813.
        assertThat(String.format("%.10f", 1.0 / 2048)).isEqualTo("0.0004882813");
        assertThat(new Probabilities().oneIn(2048)).isEqualTo("0.0004882812");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveCountsAreRejected(int n) {
        assertThatIllegalArgumentException().isThrownBy(() -> new Probabilities().oneIn(n));
    }

    @Test
    void repeatedCallsReturnTheCachedString() {
        Probabilities probabilities = new Probabilities();

        String first = probabilities.oneIn(3);

        assertThat(probabilities.oneIn(3)).isSameAs(first);
    }

    @Test
    void growingTheCacheForLargeCountsKeepsEarlierEntries() {
        Probabilities probabilities = new Probabilities();
        String one = probabilities.oneIn(1);
        String three = probabilities.oneIn(3);

        assertThat(probabilities.oneIn(2000)).isEqualTo(exactOneIn(2000));
        assertThat(probabilities.oneIn(1)).isSameAs(one);
        assertThat(probabilities.oneIn(3)).isSameAs(three);
        assertThat(probabilities.oneIn(1999)).isEqualTo(exactOneIn(1999));
        assertThat(probabilities.oneIn(4097)).isEqualTo(exactOneIn(4097));
    }

    @Test
    void descendingCallOrderGivesTheSameStringsAsAscending() {
        Probabilities descending = new Probabilities();
        for (int n = 300; n >= 1; n--) {
            descending.oneIn(n);
        }

        for (int n = 1; n <= 300; n++) {
            assertThat(descending.oneIn(n)).as("n=%d", n).isEqualTo(exactOneIn(n));
        }
    }
}
