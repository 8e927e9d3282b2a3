package io.switchyard.rules.iptables;

/** Accumulates iptables-restore lines, joining words with single spaces and counting lines. */
final class LineBuffer {

    private final StringBuilder text;
    private int lines;

    LineBuffer(int capacity) {
        text = new StringBuilder(capacity);
    }

    /** Appends one line made of the given words; null or empty words are skipped. */
    LineBuffer write(String... words) {
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
    LineBuffer declare(String chain) {
        text.append(':').append(chain).append(" - [0:0]\n");
        lines++;
        return this;
    }

    int lines() {
        return lines;
    }

    boolean isEmpty() {
        return lines == 0;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
