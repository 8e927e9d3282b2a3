package io.switchyard.agent.convert;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.KubeNames;
import io.switchyard.rules.model.Printable;
import io.switchyard.rules.model.Protocol;

import java.util.List;

/**
 * Checks of single field values as the API server makes them. Each returns the value (parsed,
 * or defaulted as the API server defaults an absent one) or throws {@link InvalidField} naming
 * the field and saying what is wrong, in words meant for the person who wrote the object.
 */
final class FieldChecks {

    private static final String LABEL_FORM =
            "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

    private FieldChecks() {
    }

    static InvalidField required(String path) {
        return new InvalidField(path, "required");
    }

    /** A present DNS label (namespace, Service name, port name). */
    static String dnsLabel(String path, String value, String what) {
        if (value == null || value.isEmpty()) {
            throw required(path);
        }
        if (!KubeNames.isDnsLabel(value)) {
            throw new InvalidField(path, Printable.quote(value) + " is not a valid " + what + ": " + LABEL_FORM);
        }
        return value;
    }

    /** A present DNS subdomain (Node, EndpointSlice name). */
    static String dnsSubdomain(String path, String value, String what) {
        if (value == null || value.isEmpty()) {
            throw required(path);
        }
        if (!KubeNames.isDnsSubdomain(value)) {
            throw new InvalidField(path, Printable.quote(value) + " is not a valid " + what
                    + ": lowercase letters, digits, '-' and '.', at most 253 characters");
        }
        return value;
    }

    /** A label value (zone), which may be empty. */
    static String labelValue(String path, String value) {
        if (!KubeNames.isLabelValue(value)) {
            throw new InvalidField(path, Printable.quote(value) + " is not a valid label value: letters, digits, "
                    + "'-', '_' and '.', starting and ending with a letter or digit, at most 63 characters");
        }
        return value;
    }

    /** One of a closed set of spellings (exact case); {@code fallback} when absent, as the API server defaults it. */
    static String oneOf(String path, String value, String fallback, List<String> allowed) {
        if (value == null || value.isEmpty()) {
            if (fallback == null) {
                throw required(path);
            }
            return fallback;
        }
        if (!allowed.contains(value)) {
            throw new InvalidField(path, "unsupported value " + Printable.quote(value) + ": want " + either(allowed));
        }
        return value;
    }

    /** TCP, UDP or SCTP, spelled as the API spells them; TCP when absent. */
    static Protocol protocol(String path, String value) {
        return Protocol.valueOf(oneOf(path, value, "TCP", List.of("TCP", "UDP", "SCTP")));
    }

    /** A present port number. */
    static int port(String path, Integer value) {
        if (value == null) {
            throw required(path);
        }
        return portInRange(path, value);
    }

    static int portInRange(String path, int value) {
        if (value < 1 || value > 65535) {
            throw new InvalidField(path, value + " is out of range 1-65535");
        }
        return value;
    }

    /** A present IP address, exactly as written (no surrounding spaces), as address bytes. */
    static byte[] ip(String path, String value) {
        if (value == null || value.isEmpty()) {
            throw required(path);
        }
        byte[] bytes = value.strip().length() == value.length() ? IpLiteral.parse(value) : null;
        if (bytes == null) {
            throw new InvalidField(path, Printable.quote(value) + " is not a valid IP address");
        }
        return bytes;
    }

    /**
     * An IP address a Service may send traffic to (external IPs, endpoints): not unspecified,
     * loopback, link-local or link-local multicast.
     */
    static byte[] nonSpecialIp(String path, String value) {
        byte[] ip = ip(path, value);
        String range = specialRange(ip);
        if (range != null) {
            throw new InvalidField(path, Printable.quote(value) + " may not be " + range);
        }
        return ip;
    }

    private static String specialRange(byte[] ip) {
        int b0 = ip[0] & 0xff;
        int b1 = ip[1] & 0xff;
        boolean zero = true;
        for (byte b : ip) {
            zero &= b == 0;
        }
        if (zero) {
            return "the unspecified address (0.0.0.0, ::)";
        }
        if (ip.length == 4) {
            if (b0 == 127) {
                return "in the loopback range (127.0.0.0/8)";
            }
            if (b0 == 169 && b1 == 254) {
                return "in the link-local range (169.254.0.0/16)";
            }
            if (b0 == 224 && b1 == 0 && ip[2] == 0) {
                return "in the link-local multicast range (224.0.0.0/24)";
            }
            return null;
        }
        boolean loopback = ip[15] == 1;
        for (int i = 0; i < 15; i++) {
            loopback &= ip[i] == 0;
        }
        if (loopback) {
            return "in the loopback range (::1/128)";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return "in the link-local range (fe80::/10)";
        }
        if (b0 == 0xff && (b1 & 0x0f) == 0x02) {
            return "in the link-local multicast range (ff02::/16)";
        }
        return null;
    }

    /** A present CIDR, exactly as written. */
    static Cidr cidr(String path, String value) {
        if (value == null || value.isEmpty()) {
            throw required(path);
        }
        if (value.strip().length() == value.length()) {
            try {
                return Cidr.parse(value);
            } catch (IllegalArgumentException e) {
                // reported below, in the same words for every way a CIDR can be wrong
            }
        }
        throw new InvalidField(path, Printable.quote(value) + " is not a valid CIDR");
    }

    private static String either(List<String> allowed) {
        if (allowed.size() == 1) {
            return allowed.getFirst();
        }
        return String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or " + allowed.getLast();
    }
}
