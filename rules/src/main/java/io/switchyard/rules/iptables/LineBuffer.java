package io.switchyard.rules.iptables;

/** Accumulates iptables-restore lines, joining words with single spaces and counting lines. */
public final class LineBuffer {

    private final StringBuilder text;
    private int lines;

    public LineBuffer(int capacity) {
        text = new StringBuilder(capacity);
    }

    /** Appends one line made of the given words; null or empty words are skipped. */
    public LineBuffer write(String... words) {
        boolean first = true;
        for (String word : words) {
            if (word == null || word.isEmpty()) {
                continue;
            }
            if (!first) {
                text.append(' ');
            }
            text.append(word);
            first = false;
        }
        text.append('\n');
        lines++;
        return this;
    }

    /** Appends a chain declaration, {@code :NAME - [0:0]}, which also flushes an existing chain. */
    public LineBuffer declare(String chain) {
        text.append(':').append(chain).append(" - [0:0]\n");
        lines++;
        return this;
    }

    public int lines() {
        return lines;
    }

    public boolean isEmpty() {
        return lines == 0;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
