package io.switchyard.agent.iptables;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a rule that iptables prints back exactly as they were written — its target, a
 * DNAT destination, its comment and its destination port — so that the kernel's listing of a
 * chain can be compared with the rules we wrote without knowing how iptables-save re-spells the
 * rest (it reorders matches, adds {@code /32}, rewrites {@code --or-mark} as
 * {@code --set-xmark}, pads probabilities). A rule added, removed, retargeted or moved changes a
 * chain's shape; an edit that keeps all four is left to the comparison with what the kernel
 * printed before ({@link DriftDetector}).
 */
final class RuleShape {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private RuleShape() {
    }

    /** The shape of a whole chain: how many rules, and their shapes in order. */
    record ChainShape(int rules, long hash) {

        static final ChainShape EMPTY = new ChainShape(0, FNV_OFFSET);

        ChainShape plus(String ruleLine) {
            return plus(RuleShape.of(ruleLine));
        }

        ChainShape plus(long ruleShape) {
            return new ChainShape(rules + 1, (hash ^ ruleShape) * FNV_PRIME);
        }

        static ChainShape of(Iterable<String> ruleLines) {
            ChainShape shape = EMPTY;
            for (String line : ruleLines) {
                shape = shape.plus(line);
            }
            return shape;
        }
    }

    /** The shape of one rule line ({@code -A CHAIN ...}, as written or as iptables-save prints it). */
    static long of(CharSequence line) {
        return of(line, 0, line.length());
    }

    private static final int NONE = -1;
    private static final String[][] KEYS = {{"-j", "--jump"}, {"--to-destination"}, {"--comment"},
        {"--dport", "--destination-port"}};
    private static final int DESTINATION = 1;

    /**
     * The shape of the rule in {@code text[from, to)}, read in place: iptables-save listings are
     * some 200k lines at 10k Services, and nothing of them is copied.
     */
    static long of(CharSequence text, int from, int to) {
        long[] parts = {FNV_OFFSET, FNV_OFFSET, FNV_OFFSET, FNV_OFFSET};
        int pending = NONE;
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int start = i;
            boolean quoted = false;
            while (i < to) {
                c = text.charAt(i);
                if (quoted && c == '\\' && i + 1 < to) {
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && (c == ' ' || c == '\t')) {
                    break;
                }
                i++;
            }
            if (pending != NONE) {
                parts[pending] = pending == DESTINATION ? destination(text, start, i) : mix(FNV_OFFSET, text, start, i);
            }
            pending = key(text, start, i);
        }
        long hash = FNV_OFFSET;
        for (long part : parts) {
            hash = (hash ^ part) * FNV_PRIME;
            hash = (hash ^ 0xff) * FNV_PRIME;
        }
        return hash;
    }

    /** Which value the word {@code text[start, end)} announces, or {@link #NONE}. */
    private static int key(CharSequence text, int start, int end) {
        if (text.charAt(start) != '-') {
            return NONE;
        }
        for (int k = 0; k < KEYS.length; k++) {
            for (String key : KEYS[k]) {
                if (key.length() == end - start && regionEquals(text, start, key)) {
                    return k;
                }
            }
        }
        return NONE;
    }

    private static boolean regionEquals(CharSequence text, int start, String key) {
        for (int i = 0; i < key.length(); i++) {
            if (text.charAt(start + i) != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Splits a rule into words as iptables-restore does: double quotes group, backslash escapes inside them. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inWord = true;
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Hashes a word's content, as iptables-restore reads it (quotes grouping, backslash escaping inside them). */
    private static long mix(long hash, CharSequence text, int start, int end) {
        boolean quoted = false;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (quoted && c == '\\' && i + 1 < end) {
                c = text.charAt(++i);
            }
            hash = (hash ^ c) * FNV_PRIME;
        }
        return hash;
    }

    /** A DNAT destination's hash; an IPv6 one in canonical spelling first. */
    private static long destination(CharSequence text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == '[') {
                String canonical = canonicalDestination(words(text.subSequence(start, end).toString()).getFirst());
                return mix(FNV_OFFSET, canonical, 0, canonical.length());
            }
        }
        return mix(FNV_OFFSET, text, start, end);
    }

    /** A hash of a line's exact text. */
    static long exact(CharSequence line) {
        return exact(line, 0, line.length());
    }

    /** A hash of the exact text {@code text[from, to)}. */
    static long exact(CharSequence text, int from, int to) {
        long hash = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            hash = (hash ^ text.charAt(i)) * FNV_PRIME;
        }
        return hash;
    }

    /** {@code addr:port} or {@code [v6]:port} with the address in one spelling. */
    private static String canonicalDestination(String value) {
        String address = value;
        String port = "";
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close > 0) {
                address = value.substring(1, close);
                port = value.substring(close + 1);
            }
        } else if (value.indexOf(':') == value.lastIndexOf(':') && value.indexOf(':') > 0) {
            address = value.substring(0, value.indexOf(':'));
            port = value.substring(value.indexOf(':'));
        }
        try {
            return InetAddress.ofLiteral(address).getHostAddress() + port;
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
