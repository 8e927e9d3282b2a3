package io.switchyard.agent.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Sets up logging once per process: klog-style lines on stderr, verbosity from {@code -v}. */
public final class Logging {

    private Logging() {
    }

    /**
     * Routes all logging (ours and client-java's, through slf4j-jdk14) to stderr. {@code -v=0..1}
     * shows INFO and up, 2..3 adds DEBUG (kube-proxy's V(2) sync details), 4 and up everything.
     */
    public static void configure(int verbosity) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        Level level = verbosity >= 4 ? Level.ALL : verbosity >= 2 ? Level.FINE : Level.INFO;
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new KlogFormatter());
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level);
        // client-java and okhttp are chatty below INFO; keep them at INFO unless asked for all.
        if (verbosity < 6) {
            Logger.getLogger("io.kubernetes").setLevel(Level.INFO);
            Logger.getLogger("okhttp3").setLevel(Level.INFO);
        }
    }
}
