package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.Protocol;

import java.util.Locale;
import java.util.Objects;

/**
 * One member of an ipset, in the exact text {@code ipset save} prints for it: canonical
 * addresses, lower-case protocol, decimal port, and a network without its prefix when it is a
 * single host. Every factory checks what it is given, so only well-formed members reach an
 * {@code ipset restore} script; {@link #parse} brings the kernel's text to the same form.
 */
public record IpsetEntry(String text) implements Comparable<IpsetEntry> {

    public IpsetEntry {
        Objects.requireNonNull(text, "text");
    }

    /** A hash:ip member: an address. */
    public static IpsetEntry ip(IpFamily family, String ip) {
        return new IpsetEntry(address(family, ip, "address"));
    }

    /** A hash:ip,port member: {@code ip,proto:port}. */
    public static IpsetEntry ipPort(IpFamily family, String ip, Protocol protocol, int port) {
        return new IpsetEntry(address(family, ip, "address") + "," + protocolPort(protocol, port));
    }

    /** A hash:ip,port,ip member: {@code ip,proto:port,ip2}. */
    public static IpsetEntry ipPortIp(IpFamily family, String ip, Protocol protocol, int port, String ip2) {
        return new IpsetEntry(address(family, ip, "address") + "," + protocolPort(protocol, port) + ","
                + address(family, ip2, "second address"));
    }

    /** A hash:ip,port,net member: {@code ip,proto:port,net}, the net without a host prefix. */
    public static IpsetEntry ipPortNet(IpFamily family, String ip, Protocol protocol, int port, Cidr net) {
        if (net.family() != family) {
            throw new IllegalArgumentException("network " + net + " is not an " + family + " network");
        }
        if (net.isZero()) {
            // The kernel refuses a zero prefix in hash:*,net sets.
            throw new IllegalArgumentException("network " + net + " has a zero prefix, which an ipset cannot hold");
        }
        return new IpsetEntry(address(family, ip, "address") + "," + protocolPort(protocol, port) + "," + net(net));
    }

    /** A bitmap:port member: a port. */
    public static IpsetEntry port(int port) {
        return new IpsetEntry(Integer.toString(checkPort(port)));
    }

    /**
     * Reads a member as the kernel prints it for a set of the given type, into the same text the
     * factories make. Throws {@link IllegalArgumentException} when it is not such a member.
     */
    public static IpsetEntry parse(IpsetType type, IpFamily family, String text) {
        String[] parts = text.split(",", -1);
        int expected = switch (type) {
            case HASH_IP, BITMAP_PORT -> 1;
            case HASH_IP_PORT -> 2;
            case HASH_IP_PORT_IP, HASH_IP_PORT_NET -> 3;
        };
        if (parts.length != expected) {
            throw new IllegalArgumentException("not a " + type + " member: \"" + text + "\"");
        }
        return switch (type) {
            case BITMAP_PORT -> port(parsePort(parts[0], text));
            case HASH_IP -> ip(family, canonicalOrFail(parts[0], text));
            case HASH_IP_PORT -> {
                ProtocolPort pp = parseProtocolPort(parts[1], text);
                yield ipPort(family, canonicalOrFail(parts[0], text), pp.protocol, pp.port);
            }
            case HASH_IP_PORT_IP -> {
                ProtocolPort pp = parseProtocolPort(parts[1], text);
                yield ipPortIp(family, canonicalOrFail(parts[0], text), pp.protocol, pp.port,
                        canonicalOrFail(parts[2], text));
            }
            case HASH_IP_PORT_NET -> {
                ProtocolPort pp = parseProtocolPort(parts[1], text);
                String net = parts[2].indexOf('/') >= 0 ? parts[2] : parts[2] + "/" + hostPrefix(family);
                Cidr cidr;
                try {
                    cidr = Cidr.parse(net);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a " + type + " member: \"" + text + "\"");
                }
                yield ipPortNet(family, canonicalOrFail(parts[0], text), pp.protocol, pp.port, cidr);
            }
        };
    }

    @Override
    public int compareTo(IpsetEntry other) {
        return text.compareTo(other.text);
    }

    @Override
    public String toString() {
        return text;
    }

    private record ProtocolPort(Protocol protocol, int port) {
    }

    private static ProtocolPort parseProtocolPort(String part, String whole) {
        int colon = part.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no protocol:port in ipset member \"" + whole + "\"");
        }
        Protocol protocol = switch (part.substring(0, colon).toLowerCase(Locale.ROOT)) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            case "sctp" -> Protocol.SCTP;
            default -> throw new IllegalArgumentException("unknown protocol in ipset member \"" + whole + "\"");
        };
        return new ProtocolPort(protocol, parsePort(part.substring(colon + 1), whole));
    }

    private static int parsePort(String digits, String whole) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad port in ipset member \"" + whole + "\"");
        }
        return Integer.parseInt(digits);
    }

    private static String canonicalOrFail(String ip, String whole) {
        byte[] bytes = IpLiteral.parse(ip);
        if (bytes == null || !ip.equals(ip.strip())) {
            throw new IllegalArgumentException("bad address in ipset member \"" + whole + "\"");
        }
        return IpLiteral.format(bytes);
    }

    /** Checks that an address is a canonical literal of the family: the model promises it, this asserts it. */
    private static String address(IpFamily family, String ip, String what) {
        if (ip == null || IpLiteral.familyOf(ip) != family) {
            throw new IllegalArgumentException(what + " \"" + ip + "\" is not an " + family + " address");
        }
        if (!IpLiteral.canonical(ip).equals(ip)) {
            throw new IllegalArgumentException(what + " \"" + ip + "\" is not in canonical form");
        }
        return ip;
    }

    private static String protocolPort(Protocol protocol, int port) {
        Objects.requireNonNull(protocol, "protocol");
        return protocol.lowerCase() + ":" + checkPort(port);
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
        return port;
    }

    private static String net(Cidr net) {
        String text = net.toString();
        int slash = text.indexOf('/');
        return net.prefixLength() == hostPrefix(net.family()) ? text.substring(0, slash) : text;
    }

    private static int hostPrefix(IpFamily family) {
        return family == IpFamily.IPV4 ? 32 : 128;
    }
}
