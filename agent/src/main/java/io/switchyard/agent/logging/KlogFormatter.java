package io.switchyard.agent.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/** Formats log records the way klog does, so Switchyard's logs read like kube-proxy's. */
public final class KlogFormatter extends Formatter {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMdd HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);
    private static final long PID = ProcessHandle.current().pid();

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160);
        line.append(severity(record.getLevel()))
                .append(STAMP.format(Instant.ofEpochMilli(record.getMillis())))
                .append(String.format(" %7d ", PID))
                .append(shortName(record.getLoggerName()))
                .append("] ")
                .append(formatMessage(record))
                .append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    private static char severity(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return 'E';
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return 'W';
        }
        return 'I';
    }

    static String shortName(String logger) {
        if (logger == null) {
            return "switchyard";
        }
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }
}
