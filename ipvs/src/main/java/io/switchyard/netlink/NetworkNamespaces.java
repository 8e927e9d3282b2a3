package io.switchyard.netlink;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside another network namespace without moving the process: a new platform thread
 * joins the namespace with {@code setns(2)}, runs the code, and ends. Sockets it opens stay in
 * that namespace after the thread is gone — that is how the agent and the tests open netlink
 * sockets in a namespace.
 */
public final class NetworkNamespaces {

    private NetworkNamespaces() {
    }

    /**
     * Calls {@code action} on a throwaway thread inside the namespace behind {@code netnsFile}
     * ({@code /var/run/netns/NAME}, {@code /proc/PID/ns/net}). The action must not start threads:
     * they would be born in that namespace.
     *
     * @throws NetlinkException when the namespace cannot be opened or joined
     */
    public static <T> T callIn(Path netnsFile, Callable<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("netns " + netnsFile).unstarted(() -> {
            try {
                enter(netnsFile);
                result.set(action.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in network namespace " + netnsFile, e);
        }
        Throwable t = failure.get();
        switch (t) {
            case null -> {
                return result.get();
            }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(t.getMessage(), t);
        }
    }

    private static void enter(Path netnsFile) {
        LibC libc = LibC.get();
        int fd = libc.open(netnsFile.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new NetlinkException("open network namespace " + netnsFile, LibC.errno(), null);
        }
        try {
            if (libc.setns(fd, LibC.CLONE_NEWNET) < 0) {
                throw new NetlinkException("join network namespace " + netnsFile, LibC.errno(), null);
            }
        } finally {
            libc.close(fd);
        }
    }
}
