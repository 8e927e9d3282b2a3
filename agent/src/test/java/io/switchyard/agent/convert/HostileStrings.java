package io.switchyard.agent.convert;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Strings built to break an iptables-restore document or a one-line message: quotes, spaces,
 * newlines, rule and table syntax, NULs, control and non-ASCII characters, invalid UTF-8
 * decoded into Java strings, lone surrogates, very long runs. Every string also holds at least
 * one character that no Kubernetes name, IP, CIDR or enumeration value may contain, so a
 * validating converter must reject it wherever it is put.
 */
final class HostileStrings {

    private static final String[] FRAGMENTS = {
            " ", "\"", "\n", "\r\n", "\t", "\\", "'", "#", "*", "-A ", "COMMIT", "\0", "\u00e9", "\u2028",
            "\uD800", "\uFFFD", "%", "/", ":", ".", "-", "_", "x", "9", "Z", "::", "10.0.0.1", "fd00::1",
            "*nat", "\n-A KUBE-SERVICES -j DROP\n#", "\nCOMMIT\n*filter\n-A INPUT -j DROP\n", "$(id)", ";",
            "--comment", "\u0007", "\u007f", "\u00ff", "x\n-A INPUT -j DROP\n#", "\" -j DROP \"",
    };

    private static final String[] NEAR_VALID = {
            "web", "demo", "http", "10.96.0.1", "fd00::10", "10.0.0.0/8", "IPv4", "IPv6", "TCP", "ClusterIP",
            "Local", "ClientIP", "VIP", "zone-a", "node-a", "kubernetes.io",
    };

    /** Characters outside every grammar the API server accepts for the fields the proxy reads. */
    private static final String NEVER_VALID = "\"\\#*!;$&()<>?|`~{}=+@^[],'\0\u00e9\u007f\u0001\n";

    private HostileStrings() {
    }

    static String next(Random random) {
        String base = switch (random.nextInt(5)) {
            case 0 -> bytes(random, StandardCharsets.UTF_8);
            case 1 -> bytes(random, StandardCharsets.ISO_8859_1);
            case 2 -> fragments(random, 1 + random.nextInt(6));
            case 3 -> veryLong(random);
            default -> NEAR_VALID[random.nextInt(NEAR_VALID.length)] + fragments(random, 1);
        };
        int at = random.nextInt(base.length() + 1);
        char bad = NEVER_VALID.charAt(random.nextInt(NEVER_VALID.length()));
        return base.substring(0, at) + bad + base.substring(at);
    }

    /** Random bytes decoded as text: malformed UTF-8 turns into U+FFFD, as a lenient reader would. */
    private static String bytes(Random random, java.nio.charset.Charset charset) {
        byte[] bytes = new byte[1 + random.nextInt(40)];
        random.nextBytes(bytes);
        return new String(bytes, charset);
    }

    private static String fragments(Random random, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
        }
        return out.toString();
    }

    private static String veryLong(Random random) {
        int length = 300 + random.nextInt(5000);
        StringBuilder out = new StringBuilder(length + 64);
        while (out.length() < length) {
            out.append(random.nextInt(4) == 0 ? fragments(random, 1) : "a-b.c");
        }
        return out.toString();
    }
}
