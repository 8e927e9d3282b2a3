package io.switchyard.agent.sync;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The sync loop must run at once, coalesce bursts of requests, retry failures and stop cleanly, on a real thread. */
class BoundedFrequencyRunnerTest {

    /** Generous: a loaded two-core CI machine can stall a thread for a long time. */
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Duration MIN = Duration.ofMillis(50);
    /** Long enough that no periodic sync happens during a test unless it asks for one. */
    private static final Duration NEVER = Duration.ofMinutes(10);

    private final List<BoundedFrequencyRunner> runners = new ArrayList<>();
    private final AtomicInteger syncs = new AtomicInteger();
    private final String name = "bfr-test-" + UUID.randomUUID();

    @AfterEach
    void closeRunners() {
        runners.forEach(BoundedFrequencyRunner::close);
    }

    private BoundedFrequencyRunner runner(SyncSchedule schedule, BooleanSupplier sync) {
        BoundedFrequencyRunner runner = new BoundedFrequencyRunner(name, () -> {
            syncs.incrementAndGet();
            return sync.getAsBoolean();
        }, schedule);
        runners.add(runner);
        return runner;
    }

    private BoundedFrequencyRunner runner(SyncSchedule schedule, BooleanSupplier sync, LongSupplier ticker) {
        BoundedFrequencyRunner runner = new BoundedFrequencyRunner(name, () -> {
            syncs.incrementAndGet();
            return sync.getAsBoolean();
        }, schedule, ticker);
        runners.add(runner);
        return runner;
    }

    /** Waits until at least {@code count} syncs have run, failing after the deadline. */
    private void awaitSyncs(int count) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (syncs.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(syncs.get()).as("syncs after waiting up to %s", DEADLINE).isGreaterThanOrEqualTo(count);
    }

    /** Gives the runner ample time to do something it should not, then checks it did not. */
    private void assertSyncsStay(int count) throws InterruptedException {
        Thread.sleep(10 * MIN.toMillis());
        assertThat(syncs.get()).isEqualTo(count);
    }

    private boolean threadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    void theFirstSyncRunsAtOnceAfterStart() throws InterruptedException {
        BoundedFrequencyRunner runner = runner(new SyncSchedule(MIN, NEVER, MIN), () -> true);
        assertSyncsStay(0);

        runner.start();

        awaitSyncs(1);
        assertSyncsStay(1);
    }

    @Test
    void requestsArrivingDuringOneSyncCollapseIntoOneMoreSync() throws InterruptedException {
        CountDownLatch inFirstSync = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BoundedFrequencyRunner runner = runner(new SyncSchedule(MIN, NEVER, MIN), () -> {
            if (syncs.get() == 1) {
                inFirstSync.countDown();
                await(release);
            }
            return true;
        });
        runner.start();
        assertThat(inFirstSync.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        for (int i = 0; i < 5; i++) {
            runner.run();
        }
        release.countDown();

        awaitSyncs(2);
        assertSyncsStay(2);
    }

    @Test
    void aRequestWaitsForTheMinIntervalSinceTheLastSyncStarted() throws InterruptedException {
        AtomicLong now = new AtomicLong(0);
        long min = Duration.ofSeconds(10).toNanos();
        BoundedFrequencyRunner runner = runner(new SyncSchedule(Duration.ofNanos(min), NEVER, Duration.ZERO),
                () -> true, now::get);
        runner.start();
        awaitSyncs(1);

        now.set(min - 1_000_000);
        runner.run();
        runner.run();
        assertSyncsStay(1);

        now.set(min);
        runner.run();
        awaitSyncs(2);
        assertSyncsStay(2);
    }

    @Test
    void aFailedSyncIsRetriedWithoutARequest() throws InterruptedException {
        BoundedFrequencyRunner runner = runner(new SyncSchedule(Duration.ofMillis(10), NEVER, MIN),
                () -> syncs.get() > 1);

        runner.start();

        awaitSyncs(2);
        assertSyncsStay(2);
    }

    @Test
    void aSyncThatThrowsCountsAsAFailureAndDoesNotKillTheLoop() throws InterruptedException {
        BoundedFrequencyRunner runner = runner(new SyncSchedule(Duration.ofMillis(10), NEVER, MIN), () -> {
            if (syncs.get() == 1) {
                throw new IllegalStateException("boom");
            }
            return true;
        });

        runner.start();

        awaitSyncs(2);
        assertThat(threadAlive()).isTrue();
        runner.run();
        awaitSyncs(3);
    }

    @Test
    void withoutRequestsTheSyncStillRunsEveryMaxInterval() throws InterruptedException {
        BoundedFrequencyRunner runner = runner(new SyncSchedule(Duration.ofMillis(10), Duration.ofMillis(100),
                Duration.ofMillis(10)), () -> true);

        runner.start();

        awaitSyncs(3);
    }

    @Test
    void closeStopsTheThreadAndLaterRequestsDoNothing() throws InterruptedException {
        BoundedFrequencyRunner runner = runner(new SyncSchedule(MIN, NEVER, MIN), () -> true);
        runner.start();
        awaitSyncs(1);
        assertThat(threadAlive()).isTrue();

        runner.close();

        assertThat(threadAlive()).isFalse();
        runner.run();
        assertSyncsStay(1);
    }

    @Test
    void closeWaitsForASyncInProgress() throws InterruptedException {
        CountDownLatch inSync = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        BoundedFrequencyRunner runner = runner(new SyncSchedule(MIN, NEVER, MIN), () -> {
            inSync.countDown();
            sleep(200);
            finished.incrementAndGet();
            return true;
        });
        runner.start();
        assertThat(inSync.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        runner.close();

        assertThat(finished.get()).isOne();
        assertThat(threadAlive()).isFalse();
    }

    @Test
    void startingTwiceIsRejected() {
        BoundedFrequencyRunner runner = runner(new SyncSchedule(MIN, NEVER, MIN), () -> true);
        runner.start();

        assertThatIllegalStateException().isThrownBy(runner::start);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
