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
        assertThat(SCHEDULE.nextRun(LAST, SCHEDULE.pace(SyncSchedule.UNPACED, LAST), false, NONE)).isEqualTo(LAST + 3600 * SECOND);
    }

    @Test
    void aRequestRunsAsSoonAsTheMinIntervalAllows() {
        assertThat(SCHEDULE.nextRun(LAST, SCHEDULE.pace(SyncSchedule.UNPACED, LAST), true, NONE)).isEqualTo(LAST + SECOND);
    }

    @Test
    void aFailureIsRetriedAfterTheRetryInterval() {
        long failedAt = LAST + 2 * SECOND;

        assertThat(SCHEDULE.nextRun(LAST, SCHEDULE.pace(SyncSchedule.UNPACED, LAST), false, failedAt)).isEqualTo(failedAt + 5 * SECOND);
    }

    @Test
    void aRetryNeverComesBeforeTheMinInterval() {
        SyncSchedule quickRetry = new SyncSchedule(Duration.ofSeconds(10), Duration.ofHours(1),
                Duration.ofSeconds(1));

        assertThat(quickRetry.nextRun(LAST, quickRetry.pace(SyncSchedule.UNPACED, LAST), false, LAST)).isEqualTo(LAST + 10 * SECOND);
        assertThat(quickRetry.nextRun(LAST, quickRetry.pace(SyncSchedule.UNPACED, LAST), false, LAST + 3 * SECOND)).isEqualTo(LAST + 10 * SECOND);
        assertThat(quickRetry.nextRun(LAST, quickRetry.pace(SyncSchedule.UNPACED, LAST), false, LAST + 20 * SECOND)).isEqualTo(LAST + 21 * SECOND);
    }

    @Test
    void aRetryLaterThanTheMaxIntervalIsOvertakenByThePeriodicRun() {
        SyncSchedule slowRetry = new SyncSchedule(Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(5));

        assertThat(slowRetry.nextRun(LAST, slowRetry.pace(SyncSchedule.UNPACED, LAST), false, LAST)).isEqualTo(LAST + 30 * SECOND);
    }

    @Test
    void aRequestAfterAFailureRunsAtTheEarlierOfTheTwo() {
        long failedAt = LAST + SECOND / 2;

        assertThat(SCHEDULE.nextRun(LAST, SCHEDULE.pace(SyncSchedule.UNPACED, LAST), true, failedAt)).isEqualTo(LAST + SECOND);
    }

    @Test
    void aZeroMinIntervalRunsARequestImmediately() {
        SyncSchedule eager = new SyncSchedule(Duration.ZERO, Duration.ofSeconds(30), Duration.ZERO);

        assertThat(eager.nextRun(LAST, eager.pace(SyncSchedule.UNPACED, LAST), true, NONE)).isEqualTo(LAST);
        assertThat(eager.nextRun(LAST, eager.pace(SyncSchedule.UNPACED, LAST), false, LAST + SECOND)).isEqualTo(LAST + SECOND);
    }

    @Test
    void theNextRunNeverPrecedesTheMinIntervalNorExceedsTheMaxInterval() {
        for (boolean requested : new boolean[] {false, true}) {
            for (long failedAt : new long[] {NONE, LAST, LAST + SECOND, LAST + 3000 * SECOND, LAST + 4000 * SECOND}) {
                assertThat(SCHEDULE.nextRun(LAST, SCHEDULE.pace(SyncSchedule.UNPACED, LAST), requested, failedAt))
                        .as("requested=%s failedAt=%d", requested, failedAt)
                        .isBetween(LAST + SECOND, LAST + 3600 * SECOND);
            }
        }
    }

    @Test
    void aBurstOfTwoLetsASecondSyncFollowAtOnceThenPacesAtTheMinInterval() {
        SyncSchedule kubeProxy = new SyncSchedule(Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofSeconds(1),
                SyncSchedule.KUBE_PROXY_BURST);
        long first = LAST;
        long paced = kubeProxy.pace(SyncSchedule.UNPACED, first);

        long second = kubeProxy.nextRun(first, paced, true, NONE);
        assertThat(second).as("right after a quiet spell").isEqualTo(first);
        paced = kubeProxy.pace(paced, second + SECOND / 10);

        long third = kubeProxy.nextRun(second + SECOND / 10, paced, true, NONE);
        assertThat(third).as("the burst is spent: one token per second").isEqualTo(first + SECOND);
        paced = kubeProxy.pace(paced, third);
        assertThat(kubeProxy.nextRun(third, paced, true, NONE)).isEqualTo(first + 2 * SECOND);

        long quietUntil = first + 60 * SECOND;
        assertThat(kubeProxy.nextRun(third, paced, false, quietUntil - SECOND))
                .as("a failure retried after the retry interval").isEqualTo(quietUntil);
    }

    @Test
    void aBurstRefillsAfterTwoMinIntervalsOfQuiet() {
        SyncSchedule kubeProxy = new SyncSchedule(Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofSeconds(1), 2);
        long paced = kubeProxy.pace(kubeProxy.pace(SyncSchedule.UNPACED, LAST), LAST);
        assertThat(kubeProxy.nextRun(LAST, paced, true, NONE)).isEqualTo(LAST + SECOND);

        long later = LAST + 10 * SECOND;
        paced = kubeProxy.pace(paced, later);
        assertThat(kubeProxy.nextRun(later, paced, true, NONE)).as("the second of a fresh burst").isEqualTo(later);
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
    void aBurstBelowOneIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new SyncSchedule(Duration.ZERO, Duration.ofSeconds(1),
                Duration.ZERO, 0));
    }

    @Test
    void equalMinAndMaxIntervalsAreAllowed() {
        assertThatNoException().isThrownBy(() -> new SyncSchedule(Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ZERO));
    }
}
