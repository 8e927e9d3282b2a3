package io.switchyard.agent.sync;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Runs the sync function on one thread, as often as changes ask but no more often than the
 * {@link SyncSchedule} allows, and at least once per max interval. The function returns false
 * on failure, which schedules a retry.
 */
public final class BoundedFrequencyRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BoundedFrequencyRunner.class.getName());

    private final String name;
    private final BooleanSupplier sync;
    private final SyncSchedule schedule;
    private final LongSupplier ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean requested;
    private boolean closed;
    private Thread thread;

    public BoundedFrequencyRunner(String name, BooleanSupplier sync, SyncSchedule schedule) {
        this(name, sync, schedule, System::nanoTime);
    }

    BoundedFrequencyRunner(String name, BooleanSupplier sync, SyncSchedule schedule, LongSupplier ticker) {
        this.name = name;
        this.sync = sync;
        this.schedule = schedule;
        this.ticker = ticker;
    }

    /** Asks for a sync as soon as the minimum interval allows. */
    public void run() {
        lock.lock();
        try {
            requested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts the loop on its own thread; the first sync runs at once. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(name + " already started");
        }
        thread = Thread.ofPlatform().name(name).daemon().start(this::loop);
    }

    private void loop() {
        long lastRun = ticker.getAsLong() - schedule.maxInterval().toNanos();
        long paced = SyncSchedule.UNPACED;
        long failedAt = Long.MIN_VALUE;
        while (true) {
            lock.lock();
            try {
                while (!closed) {
                    long wait = schedule.nextRun(lastRun, paced, requested, failedAt) - ticker.getAsLong();
                    if (wait <= 0) {
                        break;
                    }
                    wake.awaitNanos(wait);
                }
                if (closed) {
                    return;
                }
                requested = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            lastRun = ticker.getAsLong();
            paced = schedule.pace(paced, lastRun);
            boolean ok;
            try {
                ok = sync.getAsBoolean();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "sync failed unexpectedly", e);
                ok = false;
            }
            failedAt = ok ? Long.MIN_VALUE : ticker.getAsLong();
        }
    }

    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
            running = thread;
        } finally {
            lock.unlock();
        }
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
