package io.switchyard.rules.model;

/**
 * Values as they may appear inside a message: quoted, on one line, in plain ASCII and cut short,
 * so that a hostile value cannot add a line to a log or hide what follows it.
 */
public final class Printable {

    /** Longest part of a value a message repeats; the rest is counted, not shown. */
    public static final int MAX_SHOWN = 64;

    private Printable() {
    }

    /**
     * The value in double quotes, with quotes, backslashes, control and non-ASCII characters
     * escaped ({@code \n}, {@code \t}, {@code \u00e9}, ...) and anything past {@link #MAX_SHOWN}
     * characters replaced by a count; {@code null} prints as {@code null}.
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        int shown = Math.min(value.length(), MAX_SHOWN);
        StringBuilder out = new StringBuilder(shown + 16).append('"');
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (value.length() > shown) {
            out.append("... (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }

    /** The text with every character a one-line message must not hold escaped as {@link #quote} does. */
    public static String oneLine(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                return escapeControls(text);
            }
        }
        return text;
    }

    private static String escapeControls(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
