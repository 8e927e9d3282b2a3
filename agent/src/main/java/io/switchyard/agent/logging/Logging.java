package io.switchyard.agent.logging;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** Sets up logging once per process: klog-style text lines or JSON objects on stderr, verbosity from {@code -v}. */
public final class Logging {

    /** Held here: a logger's level is lost once no one refers to the logger. */
    private static final List<Logger> LIBRARY_LOGGERS =
            List.of(Logger.getLogger("io.kubernetes"), Logger.getLogger("okhttp3"));

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
        handler.setFilter(record -> !interruptedLibraryThread(record));
        root.addHandler(handler);
        root.setLevel(level);
        // client-java and okhttp: their notices (client-go logs its reflector's at V(3)) from -v=3,
        // everything from -v=6, only warnings and errors below.
        Level libraries = verbosity >= 6 ? Level.ALL : verbosity >= 3 ? Level.INFO : Level.WARNING;
        LIBRARY_LOGGERS.forEach(l -> l.setLevel(libraries));
    }

    /**
     * client-java logs it as an error, with a stack trace, when its informer threads are
     * interrupted — which happens only when the agent stops them on its way out.
     */
    private static boolean interruptedLibraryThread(LogRecord record) {
        return record.getThrown() instanceof InterruptedException && record.getLoggerName() != null
                && record.getLoggerName().startsWith("io.kubernetes.client");
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
