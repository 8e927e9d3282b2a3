package io.switchyard.agent.sync;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** When iptables is rewritten: too often overloads the node, too rarely leaves stale rules or unretried failures. */
class SyncScheduleTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long NONE = Long.MIN_VALUE;
    /** kube-proxy-like: at most every second, at least every hour, failures retried after 5 s. */
    private static final SyncSchedule SCHEDULE = new SyncSchedule(Duration.ofSeconds(1), Duration.ofHours(1),
            Duration.ofSeconds(5));
    /** An arbitrary tick, negative like System.nanoTime may be. */
    private static final long LAST = -7_000 * SECOND;

    @Test
    void withNothingPendingTheNextRunIsTheMaxIntervalAfterTheLast() {
        assertThat(SCHEDULE.nextRun(LAST, false, NONE)).isEqualTo(LAST + 3600 * SECOND);
    }

    @Test
    void aRequestRunsAsSoonAsTheMinIntervalAllows() {
        assertThat(SCHEDULE.nextRun(LAST, true, NONE)).isEqualTo(LAST + SECOND);
    }

    @Test
    void aFailureIsRetriedAfterTheRetryInterval() {
        long failedAt = LAST + 2 * SECOND;

        assertThat(SCHEDULE.nextRun(LAST, false, failedAt)).isEqualTo(failedAt + 5 * SECOND);
    }

    @Test
    void aRetryNeverComesBeforeTheMinInterval() {
        SyncSchedule quickRetry = new SyncSchedule(Duration.ofSeconds(10), Duration.ofHours(1),
                Duration.ofSeconds(1));

        assertThat(quickRetry.nextRun(LAST, false, LAST)).isEqualTo(LAST + 10 * SECOND);
        assertThat(quickRetry.nextRun(LAST, false, LAST + 3 * SECOND)).isEqualTo(LAST + 10 * SECOND);
        assertThat(quickRetry.nextRun(LAST, false, LAST + 20 * SECOND)).isEqualTo(LAST + 21 * SECOND);
    }

    @Test
    void aRetryLaterThanTheMaxIntervalIsOvertakenByThePeriodicRun() {
        SyncSchedule slowRetry = new SyncSchedule(Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(5));

        assertThat(slowRetry.nextRun(LAST, false, LAST)).isEqualTo(LAST + 30 * SECOND);
    }

    @Test
    void aRequestAfterAFailureRunsAtTheEarlierOfTheTwo() {
        long failedAt = LAST + SECOND / 2;

        assertThat(SCHEDULE.nextRun(LAST, true, failedAt)).isEqualTo(LAST + SECOND);
    }

    @Test
    void aZeroMinIntervalRunsARequestImmediately() {
        SyncSchedule eager = new SyncSchedule(Duration.ZERO, Duration.ofSeconds(30), Duration.ZERO);

        assertThat(eager.nextRun(LAST, true, NONE)).isEqualTo(LAST);
        assertThat(eager.nextRun(LAST, false, LAST + SECOND)).isEqualTo(LAST + SECOND);
    }

    @Test
    void theNextRunNeverPrecedesTheMinIntervalNorExceedsTheMaxInterval() {
        for (boolean requested : new boolean[] {false, true}) {
            for (long failedAt : new long[] {NONE, LAST, LAST + SECOND, LAST + 3000 * SECOND, LAST + 4000 * SECOND}) {
                assertThat(SCHEDULE.nextRun(LAST, requested, failedAt))
                        .as("requested=%s failedAt=%d", requested, failedAt)
                        .isBetween(LAST + SECOND, LAST + 3600 * SECOND);
            }
        }
    }

    @ParameterizedTest(name = "min={0} max={1} retry={2}")
    @CsvSource({
            "PT-1S, PT1M, PT1S",
            "PT1S,  PT0S, PT1S",
            "PT1S,  PT-1M, PT1S",
            "PT1S,  PT1M, PT-1S",
            "PT2M,  PT1M, PT1S",
    })
    void invalidIntervalsAreRejected(Duration min, Duration max, Duration retry) {
        assertThatIllegalArgumentException().isThrownBy(() -> new SyncSchedule(min, max, retry));
    }

    @Test
    void equalMinAndMaxIntervalsAreAllowed() {
        assertThatNoException().isThrownBy(() -> new SyncSchedule(Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ZERO));
    }
}
