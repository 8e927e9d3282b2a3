package io.switchyard.agent.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GoDuration: Go's time.ParseDuration syntax, as kube-proxy's flags and config file use it. */
class GoDurationTest {

    @ParameterizedTest(name = "{0} = {1} ns")
    @CsvSource({
            "30s, 30000000000",
            "1m0s, 60000000000",
            "500ms, 500000000",
            "1h30m, 5400000000000",
            "2h22m, 8520000000000",
            "1.5s, 1500000000",
            "0, 0",
            "0s, 0",
            "250us, 250000",
            "10ns, 10",
            "-1m, -60000000000",
            "+5s, 5000000000"})
    void parsesGoDurations(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"30", "abc", "1x", "s", "1m30", "1.2.3s", "5 s"})
    void rejectsWhatGoRejects(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0s", "1, 1ns", "1500, 1.5\u00b5s", "500000000, 500ms", "1000000000, 1s", "1500000000, 1.5s",
            "30000000000, 30s", "60000000000, 1m0s", "90000000000, 1m30s", "3600000000000, 1h0m0s",
            "86400000000000, 24h0m0s", "5400500000000, 1h30m0.5s"})
    void formatsAsGoDoes(long nanos, String text) {
        assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }
}
