package io.switchyard.agent.sync;

import java.time.Duration;

/**
 * When the next sync is due, given when the last ones started and what is pending: kube-proxy's
 * bounded-frequency rule (syncs paced at one per {@code minInterval}, of which {@code burst} may
 * run back to back after a quiet spell — a token bucket, as its runner's rate limiter; never
 * further apart than {@code maxInterval}; a failed sync retried after {@code retryInterval}).
 * Pure: times are nanosecond ticks from a monotonic clock. The bucket is kept as one tick, the
 * pace: the tick by which every sync so far would have been paid for at one per min interval.
 */
public record SyncSchedule(Duration minInterval, Duration maxInterval, Duration retryInterval, int burst) {

    /** kube-proxy's burstSyncs: two syncs may follow each other at once, then the min interval applies. */
    public static final int KUBE_PROXY_BURST = 2;

    /** The pace of a runner that has not synced yet: its whole burst is available. */
    public static final long UNPACED = Long.MIN_VALUE / 4;

    public SyncSchedule {
        if (minInterval.isNegative() || maxInterval.isNegative() || maxInterval.isZero() || retryInterval.isNegative()) {
            throw new IllegalArgumentException("intervals must be positive (min and retry may be zero)");
        }
        if (minInterval.compareTo(maxInterval) > 0) {
            throw new IllegalArgumentException("minInterval " + minInterval + " exceeds maxInterval " + maxInterval);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, not " + burst);
        }
    }

    /** A schedule without bursts: every sync waits the min interval after the previous one. */
    public SyncSchedule(Duration minInterval, Duration maxInterval, Duration retryInterval) {
        this(minInterval, maxInterval, retryInterval, 1);
    }

    /** The pace after a sync that started at {@code started}. */
    public long pace(long paced, long started) {
        return Math.max(paced, started) + minInterval.toNanos();
    }

    /**
     * The tick at which the next sync should start.
     *
     * @param lastRun    tick the last sync started at
     * @param paced      the pace after the last sync ({@link #pace})
     * @param requested  a change is waiting
     * @param failedAt   tick the last sync failed at, or {@code Long.MIN_VALUE} when it succeeded
     */
    public long nextRun(long lastRun, long paced, boolean requested, long failedAt) {
        long earliest = paced - (burst - 1) * minInterval.toNanos();
        long next = lastRun + maxInterval.toNanos();
        if (requested) {
            next = Math.min(next, earliest);
        }
        if (failedAt != Long.MIN_VALUE) {
            next = Math.min(next, Math.max(earliest, failedAt + retryInterval.toNanos()));
        }
        return Math.max(next, earliest);
    }
}
