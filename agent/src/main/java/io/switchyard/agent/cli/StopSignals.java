package io.switchyard.agent.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM and SIGINT as a request to stop rather than an abrupt exit. Left to the JVM, either
 * starts its shutdown at once and ends the process with status 143 (130) while the agent may
 * still be closing; handled here, they wake {@code switchyard run}, which stops its informers,
 * sync loops and servers, logs one line and returns 0, leaving the rules in the kernel as
 * kube-proxy does. Any other shutdown (SIGHUP, an exit elsewhere) also asks the agent to stop
 * and waits, for a bounded time, until it has.
 */
final class StopSignals {

    private static final System.Logger LOG = System.getLogger(StopSignals.class.getName());
    private static final List<String> HANDLED = List.of("TERM", "INT");
    /** How long a JVM shutdown (not one of our signals) waits for the agent to close. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String reason;

    private StopSignals() {
    }

    /** Handles SIGTERM and SIGINT from now on, for the rest of the process. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : HANDLED) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signals.request("SIG" + s.getName()));
            } catch (IllegalArgumentException e) {
                // Reserved by the JVM (-Xrs): the shutdown hook below still stops the agent.
                LOG.log(System.Logger.Level.DEBUG, "Cannot handle SIG{0}: {1}", name, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("stop-on-shutdown").unstarted(() -> {
            signals.request("JVM shutdown");
            try {
                signals.stopped.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return signals;
    }

    private void request(String why) {
        if (reason == null) {
            reason = why;
        }
        requested.countDown();
    }

    /** Waits for a stop request; what asked for it (SIGTERM, SIGINT, JVM shutdown). */
    String await() throws InterruptedException {
        requested.await();
        return reason;
    }

    /** The agent has closed everything: a JVM shutdown waiting for it may proceed. */
    void stopped() {
        stopped.countDown();
    }
}
