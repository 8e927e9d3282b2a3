package io.switchyard.ipvs;

import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;

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
 * @param persistentConnections reported by the kernel (persistence templates); 0 in desired state
 */
public record Destination(String address, int port, int weight, ForwardMethod method, int upperThreshold,
                          int lowerThreshold, int activeConnections, int inactiveConnections,
                          int persistentConnections) {

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

    /** A destination without a persistent-connection count (desired state, or an older kernel's report). */
    public Destination(String address, int port, int weight, ForwardMethod method, int upperThreshold,
                       int lowerThreshold, int activeConnections, int inactiveConnections) {
        this(address, port, weight, method, upperThreshold, lowerThreshold, activeConnections, inactiveConnections,
                0);
    }

    /** The family of the destination's address (which may differ from its service's only when tunnelling). */
    public IpFamily family() {
        IpFamily family = IpLiteral.familyOf(address);
        if (family == null) {
            throw new IllegalArgumentException("destination address is not an IP address: \"" + address + "\"");
        }
        return family;
    }

    /** Whether the kernel's copy {@code installed} already has this desired destination's settings. */
    public boolean sameSettings(Destination installed) {
        return key().equals(installed.key()) && weight == installed.weight() && method == installed.method()
                && upperThreshold == installed.upperThreshold() && lowerThreshold == installed.lowerThreshold();
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
                activeConnections, inactiveConnections, persistentConnections);
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
