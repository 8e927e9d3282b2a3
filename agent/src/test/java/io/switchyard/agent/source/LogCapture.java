package io.switchyard.agent.source;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what the file source logs, for assertions on the lines a user would see. */
final class LogCapture extends Handler implements AutoCloseable {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(FileSource.class.getName());
    private final Level previous = logger.getLevel();

    LogCapture() {
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** The warnings so far, as the text of their lines. */
    List<String> warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogRecord::getMessage).toList();
    }

    /** Whether any record carries an exception (whose trace a formatter would print). */
    boolean anyThrown() {
        return records.stream().anyMatch(r -> r.getThrown() != null);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
