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
            return new ChainShape(rules + 1, (hash ^ RuleShape.of(ruleLine)) * FNV_PRIME);
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
    static long of(String ruleLine) {
        List<String> words = words(ruleLine);
        String target = "";
        String destination = "";
        String comment = "";
        String port = "";
        for (int i = 0; i + 1 < words.size(); i++) {
            switch (words.get(i)) {
                case "-j", "--jump" -> target = words.get(i + 1);
                case "--to-destination" -> destination = canonicalDestination(words.get(i + 1));
                case "--comment" -> comment = words.get(i + 1);
                case "--dport", "--destination-port" -> port = words.get(i + 1);
                default -> {
                }
            }
        }
        long hash = FNV_OFFSET;
        for (String part : new String[] {target, destination, comment, port}) {
            hash = mix(hash, part);
            hash = (hash ^ 0xff) * FNV_PRIME;
        }
        return hash;
    }

    /** A hash of a line's exact text. */
    static long exact(CharSequence line) {
        return mix(FNV_OFFSET, line);
    }

    private static long mix(long hash, CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            hash = (hash ^ text.charAt(i)) * FNV_PRIME;
        }
        return hash;
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
