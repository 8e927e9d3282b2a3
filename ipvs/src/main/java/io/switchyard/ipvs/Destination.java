package io.switchyard.ipvs;

import java.util.Objects;

/**
 * One real server behind a virtual service: where connections go, with what weight, and (as
 * the kernel reports it) how many connections it holds — what graceful termination waits on.
 *
 * @param address               canonical IP literal
 * @param upperThreshold        0: no limit
 * @param lowerThreshold        0: no limit
 * @param activeConnections     reported by the kernel; 0 in desired state
 * @param inactiveConnections   reported by the kernel; 0 in desired state
 */
public record Destination(String address, int port, int weight, ForwardMethod method, int upperThreshold,
                          int lowerThreshold, int activeConnections, int inactiveConnections) {

    public Destination {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(method, "method");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("destination port out of range: " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("destination weight must not be negative: " + weight);
        }
    }

    /** A destination as kube-proxy adds one: masquerading (NAT), with the given weight. */
    public static Destination masq(String address, int port, int weight) {
        return new Destination(address, port, weight, ForwardMethod.MASQ, 0, 0, 0, 0);
    }

    /** The identity of a destination within its virtual service: address and port. */
    public Key key() {
        return new Key(address, port);
    }

    /** This destination with another weight. */
    public Destination withWeight(int newWeight) {
        return new Destination(address, port, newWeight, method, upperThreshold, lowerThreshold,
                activeConnections, inactiveConnections);
    }

    /** The identity of a destination: address and port. */
    public record Key(String address, int port) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = address.compareTo(o.address);
            return c != 0 ? c : Integer.compare(port, o.port);
        }

        @Override
        public String toString() {
            return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
        }
    }
}
