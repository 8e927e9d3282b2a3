package io.switchyard.agent.fault;

import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The agent's programs, run inside a network namespace, with {@code iptables-restore} open to
 * sabotage: the test arms it to SIGKILL one restore a few milliseconds after it started (the real
 * program, with the real document, mid-run), or to make every restore fail for a while as a
 * held xtables lock does. Every restore's duration and exit code is kept, and an observer may
 * look at the kernel after each one (nothing else restores meanwhile: the sync thread waits).
 */
final class SabotagingRunner implements ProcessRunner {

    /**
     * One iptables-restore call: how long it ran, how it ended, whether it was sabotaged, and how
     * long the observer had held up the sync thread before this call was observed.
     */
    record Restore(long startNanos, long durationNanos, int exitCode, boolean killed, boolean failedOnPurpose,
                   long observerNanosBefore) {
        long endNanos() {
            return startNanos + durationNanos;
        }
    }

    /** Kills the restore {@code skip} calls from now (0: the next), {@code afterMicros} after it started. */
    record Kill(int skip, long afterMicros) {
    }

    private final List<String> prefix;
    private final HostProcessRunner delegate;
    private final List<Restore> restores = new CopyOnWriteArrayList<>();
    private volatile Kill armedKill;
    private volatile int restoresUntilKill;
    private volatile long failUntilNanos = Long.MIN_VALUE;
    private volatile Consumer<Restore> observer = r -> {
    };
    private final AtomicLong observerNanos = new AtomicLong();

    SabotagingRunner(String namespace) {
        this.prefix = List.of("ip", "netns", "exec", namespace);
        this.delegate = new HostProcessRunner(prefix, 120);
    }

    /** Arms one kill. */
    void arm(Kill kill) {
        restoresUntilKill = kill.skip();
        armedKill = kill;
    }

    /** Disarms a kill that has not happened; whether one was armed. */
    boolean disarm() {
        boolean armed = armedKill != null;
        armedKill = null;
        return armed;
    }

    /** Every restore fails, as with the xtables lock held elsewhere, until {@code untilNanos}. */
    void failUntil(long untilNanos) {
        failUntilNanos = untilNanos;
    }

    /** Called after every restore, on the sync thread, before the dataplane sees the result. */
    void observe(Consumer<Restore> observer) {
        this.observer = observer;
    }

    List<Restore> restores() {
        return List.copyOf(restores);
    }

    /** How long the observer has held up the sync thread so far: not the agent's time. */
    long observerNanos() {
        return observerNanos.get();
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        if (!argv.getFirst().endsWith("-restore")) {
            return delegate.run(argv, stdin);
        }
        long start = System.nanoTime();
        Result result;
        boolean killed = false;
        boolean failed = false;
        Kill kill = armedKill;
        if (start < failUntilNanos) {
            failed = true;
            result = new Result(4, "", "Another app is currently holding the xtables lock. Stopped waiting after 5s.\n");
        } else if (kill != null && restoresUntilKill-- == 0) {
            armedKill = null;
            KilledRun run = runAndKill(argv, stdin, kill.afterMicros());
            killed = run.killed();
            result = run.result();
        } else {
            result = delegate.run(argv, stdin);
        }
        Restore restore = new Restore(start, System.nanoTime() - start, result.exitCode(), killed, failed,
                observerNanos.get());
        restores.add(restore);
        long observing = System.nanoTime();
        observer.accept(restore);
        observerNanos.addAndGet(System.nanoTime() - observing);
        return result;
    }

    @Override
    public Result runLines(List<String> argv, Consumer<String> lines) {
        return delegate.runLines(argv, lines);
    }

    private record KilledRun(Result result, boolean killed) {
    }

    /** Starts the real program, feeds it, and SIGKILLs it {@code afterMicros} after the start unless it ended. */
    private KilledRun runAndKill(List<String> argv, String stdin, long afterMicros) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(argv);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        Thread feeder = Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // killed while reading its input
            }
        });
        try {
            long wait = TimeUnit.MICROSECONDS.toNanos(afterMicros) - (System.nanoTime() - started);
            boolean ended = wait > 0 && process.waitFor(wait, TimeUnit.NANOSECONDS);
            if (!ended) {
                process.destroyForcibly(); // SIGKILL
            }
            process.waitFor();
            feeder.join();
            int exit = process.exitValue();
            return new KilledRun(new Result(exit, out.join(), err.join()), !ended && exit == 137);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return new KilledRun(new Result(130, "", "interrupted"), false);
        }
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
