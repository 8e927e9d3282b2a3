package io.switchyard.agent.healthcheck;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Go's time.Time String() form, as kube-proxy's /healthz prints its times. */
class GoTimeTest {

    private static final Instant ORIGIN = Instant.parse("2024-05-01T10:00:00Z");

    @Test
    void trailingZerosOfTheFractionAreDroppedAndAWholeSecondHasNone() {
        assertThat(GoTime.format(Instant.parse("2024-05-01T10:00:00Z"), ORIGIN))
                .isEqualTo("2024-05-01 10:00:00 +0000 UTC m=+0.000000000");
        assertThat(GoTime.format(Instant.parse("2024-05-01T10:00:07.120Z"), ORIGIN))
                .isEqualTo("2024-05-01 10:00:07.12 +0000 UTC m=+7.120000000");
        assertThat(GoTime.format(Instant.parse("2024-12-31T23:59:59.000000001Z"), ORIGIN))
                .isEqualTo("2024-12-31 23:59:59.000000001 +0000 UTC m=+21131999.000000001");
    }

    @Test
    void aTimeBeforeTheOriginHasANegativeReadingAndTheZeroTimeNone() {
        assertThat(GoTime.format(Instant.parse("2024-05-01T09:59:58.5Z"), ORIGIN))
                .isEqualTo("2024-05-01 09:59:58.5 +0000 UTC m=-1.500000000");
        assertThat(GoTime.format(GoTime.ZERO, ORIGIN)).isEqualTo("0001-01-01 00:00:00 +0000 UTC");
    }
}
