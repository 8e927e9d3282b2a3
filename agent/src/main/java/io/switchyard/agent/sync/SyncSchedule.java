package io.switchyard.agent.sync;

import java.time.Duration;

/**
 * When the next sync is due, given when the last one started and what is pending: kube-proxy's
 * bounded-frequency rule (never closer than {@code minInterval}, never further apart than
 * {@code maxInterval}, a failed sync retried after {@code retryInterval}). Pure: times are
 * nanosecond ticks from a monotonic clock.
 */
public record SyncSchedule(Duration minInterval, Duration maxInterval, Duration retryInterval) {

    public SyncSchedule {
        if (minInterval.isNegative() || maxInterval.isNegative() || maxInterval.isZero() || retryInterval.isNegative()) {
            throw new IllegalArgumentException("intervals must be positive (min and retry may be zero)");
        }
        if (minInterval.compareTo(maxInterval) > 0) {
            throw new IllegalArgumentException("minInterval " + minInterval + " exceeds maxInterval " + maxInterval);
        }
    }

    /**
     * The tick at which the next sync should start.
     *
     * @param lastRun    tick the last sync started at
     * @param requested  a change is waiting
     * @param failedAt   tick the last sync failed at, or {@code Long.MIN_VALUE} when it succeeded
     */
    public long nextRun(long lastRun, boolean requested, long failedAt) {
        long earliest = lastRun + minInterval.toNanos();
        long next = lastRun + maxInterval.toNanos();
        if (requested) {
            next = Math.min(next, earliest);
        }
        if (failedAt != Long.MIN_VALUE) {
            next = Math.min(next, Math.max(earliest, failedAt + retryInterval.toNanos()));
        }
        return next;
    }
}
