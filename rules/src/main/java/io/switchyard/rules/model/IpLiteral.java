package io.switchyard.rules.model;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * IP address literals as Kubernetes and kube-proxy read and print them. Parsing never touches
 * DNS, and the printed form is the canonical one (RFC 5952 for IPv6) because it ends up inside
 * chain-name hashes and rule comments that must match kube-proxy's byte for byte.
 */
public final class IpLiteral {

    private IpLiteral() {
    }

    /** Parses a literal into its address bytes, or returns null when it is not an IP literal. */
    public static byte[] parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.isEmpty() || s.indexOf('%') >= 0 || s.indexOf('[') >= 0) {
            return null;
        }
        try {
            if (s.indexOf(':') >= 0) {
                InetAddress address = InetAddress.ofLiteral(s);
                return address.getAddress();
            }
            if (!isDottedQuad(s)) {
                return null;
            }
            return Inet4Address.ofLiteral(s).getAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isDottedQuad(String s) {
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }

    /** The family of a literal, or null when it is not an IP literal. */
    public static IpFamily familyOf(String text) {
        byte[] bytes = parse(text);
        if (bytes == null) {
            return null;
        }
        return bytes.length == 4 ? IpFamily.IPV4 : IpFamily.IPV6;
    }

    /** The canonical spelling of a literal; throws when it is not one. */
    public static String canonical(String text) {
        byte[] bytes = parse(text);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: " + Printable.quote(text));
        }
        return format(bytes);
    }

    /**
     * Whether the text is an IP literal in exactly the spelling {@link #canonical} gives it: the
     * form the rules model holds, which can never carry anything but digits, hex, '.' and ':'.
     */
    public static boolean isCanonical(String text) {
        if (text == null || text.isEmpty() || text.length() > 39) {
            return false;
        }
        if (text.indexOf(':') < 0) {
            return isCanonicalDottedQuad(text);
        }
        byte[] bytes = parse(text);
        return bytes != null && bytes.length == 16 && format(bytes).equals(text);
    }

    /** Four decimal octets 0-255 without leading zeros, checked without allocating. */
    private static boolean isCanonicalDottedQuad(String s) {
        int octets = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            int value = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
            octets++;
            if (i == s.length()) {
                break;
            }
            if (s.charAt(i) != '.' || octets == 4) {
                return false;
            }
            i++;
            if (i == s.length()) {
                return false;
            }
        }
        return octets == 4;
    }

    /** Prints address bytes: dotted quad for IPv4, RFC 5952 for IPv6. */
    public static String format(byte[] bytes) {
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        if (bytes.length != 16) {
            throw new IllegalArgumentException("address must have 4 or 16 bytes");
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** Whether a literal is a loopback address (127.0.0.0/8 or ::1). */
    public static boolean isLoopback(String text) {
        byte[] bytes = parse(text);
        if (bytes == null) {
            return false;
        }
        try {
            return InetAddress.getByAddress(bytes).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
