package io.switchyard.agent.logging;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** Sets up logging once per process: klog-style text lines or JSON objects on stderr, verbosity from {@code -v}. */
public final class Logging {

    private Logging() {
    }

    /** Text lines on stderr at the given verbosity. */
    public static void configure(int verbosity) {
        configure(new LoggingSettings(LogFormat.TEXT, Math.max(0, verbosity)));
    }

    /** The given format and verbosity, on stderr. */
    public static void configure(LoggingSettings settings) {
        configure(settings, System.err);
    }

    /**
     * Routes all logging (ours and client-java's, through slf4j-jdk14) to {@code out}.
     * {@code -v=0..1} shows INFO and up, 2..3 adds DEBUG (kube-proxy's V(2) sync details), 4 and
     * up everything.
     */
    public static void configure(LoggingSettings settings, OutputStream out) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        int verbosity = settings.verbosity();
        Level level = verbosity >= 4 ? Level.ALL : verbosity >= 2 ? Level.FINE : Level.INFO;
        Formatter formatter = switch (settings.format()) {
            case TEXT -> new KlogFormatter();
            case JSON -> new JsonFormatter();
        };
        Handler handler = new FlushingHandler(out instanceof PrintStream p ? p : new PrintStream(out, true), formatter);
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level);
        // client-java and okhttp are chatty below INFO; keep them at INFO unless asked for all.
        Level libraries = verbosity < 6 ? Level.INFO : Level.ALL;
        Logger.getLogger("io.kubernetes").setLevel(libraries);
        Logger.getLogger("okhttp3").setLevel(libraries);
    }

    /** A stream handler that flushes every record, as a console handler does, on any stream. */
    private static final class FlushingHandler extends StreamHandler {

        FlushingHandler(OutputStream out, Formatter formatter) {
            super(out, formatter);
        }

        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush();
        }
    }
}
