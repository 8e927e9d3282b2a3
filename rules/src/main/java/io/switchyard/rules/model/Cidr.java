package io.switchyard.rules.model;

import java.util.Arrays;

/** An IP network in CIDR notation, kept masked so that it prints the way kube-proxy prints it. */
public record Cidr(byte[] network, int prefixLength) {

    public Cidr {
        network = network.clone();
        int bits = network.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
        mask(network, prefixLength);
    }

    /** Parses {@code addr/len}; the address is masked to the network, as Go's ParseCIDR does. */
    public static Cidr parse(String text) {
        String s = text == null ? "" : text.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR (no prefix length): " + Printable.quote(text));
        }
        byte[] address = IpLiteral.parse(s.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("not a CIDR: " + Printable.quote(text));
        }
        String prefix = s.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a CIDR (bad prefix length): " + Printable.quote(text));
        }
        int length = Integer.parseInt(prefix);
        if (length < 0 || length > address.length * 8) {
            throw new IllegalArgumentException("not a CIDR (prefix length out of range): " + Printable.quote(text));
        }
        return new Cidr(address, length);
    }

    /** A single-address network: {@code /32} or {@code /128}. */
    public static Cidr host(String ip) {
        byte[] address = IpLiteral.parse(ip);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address: " + Printable.quote(ip));
        }
        return new Cidr(address, address.length * 8);
    }

    public IpFamily family() {
        return network.length == 4 ? IpFamily.IPV4 : IpFamily.IPV6;
    }

    /** Whether the network holds the given IP literal (false for the other family or a non-IP). */
    public boolean contains(String ip) {
        byte[] address = IpLiteral.parse(ip);
        if (address == null || address.length != network.length) {
            return false;
        }
        mask(address, prefixLength);
        return Arrays.equals(address, network);
    }

    /** Whether this is the all-addresses network of its family ({@code 0.0.0.0/0} or {@code ::/0}). */
    public boolean isZero() {
        return prefixLength == 0;
    }

    private static void mask(byte[] bytes, int prefixLength) {
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.clamp(prefixLength - i * 8L, 0, 8);
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && other.prefixLength == prefixLength && Arrays.equals(other.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        return IpLiteral.format(network) + "/" + prefixLength;
    }
}
