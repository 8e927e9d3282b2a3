package io.switchyard.rules.iptables;

/**
 * Writes {@code -m comment --comment} arguments so that no text, whatever it holds, can add a
 * word or a line to a restore document, and the kernel never refuses the comment. The rules
 * model only holds DNS-label names and canonical IPs, so for everything it can carry the text
 * comes out byte for byte as kube-proxy writes it; this is the guarantee for anything else.
 *
 * <p>iptables-restore splits a line at spaces and tabs outside double quotes, and inside them
 * takes a backslash as an escape; a newline or NUL ends the rule whatever the quoting, and the
 * kernel's comment match holds at most 255 bytes. So a quoted comment keeps printable ASCII
 * other than {@code "} and {@code \}, writes {@code ?} for anything else, and is cut at 255
 * characters.
 */
final class Comments {

    /** The comment match's limit: 256 bytes including the terminating NUL. */
    static final int MAX_LENGTH = 255;

    private Comments() {
    }

    private static final String PREFIX = "-m comment --comment ";

    /** {@code -m comment --comment "text"}. */
    static String quoted(String text) {
        return quoted(text, "", "");
    }

    /** {@code -m comment --comment "<first><second><third>"}, built in one go: rendering is hot. */
    static String quoted(String first, String second, String third) {
        int length = first.length() + second.length() + third.length();
        if (length <= MAX_LENGTH && allowed(first) && allowed(second) && allowed(third)) {
            return new StringBuilder(PREFIX.length() + length + 2).append(PREFIX).append('"')
                    .append(first).append(second).append(third).append('"').toString();
        }
        return PREFIX + '"' + safe(first + second + third) + '"';
    }

    /**
     * {@code -m comment --comment text}: unquoted, as kube-proxy writes a bare service port name,
     * when the text is one plain word; quoted like {@link #quoted} otherwise.
     */
    static String word(String text) {
        if (text.isEmpty() || text.length() > MAX_LENGTH || text.charAt(0) == '!') {
            return quoted(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '\'') {
                return quoted(text);
            }
        }
        return PREFIX + text;
    }

    /** The text unchanged when it is safe inside double quotes; otherwise a safe copy. */
    static String safe(String text) {
        int length = Math.min(text.length(), MAX_LENGTH);
        for (int i = 0; i < length; i++) {
            if (!allowed(text.charAt(i))) {
                return sanitise(text, length);
            }
        }
        return length == text.length() ? text : text.substring(0, length);
    }

    private static String sanitise(String text, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out[i] = allowed(c) ? c : '?';
        }
        return new String(out);
    }

    private static boolean allowed(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!allowed(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allowed(char c) {
        return c >= ' ' && c < 0x7f && c != '"' && c != '\\';
    }
}
