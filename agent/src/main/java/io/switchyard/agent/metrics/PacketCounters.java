package io.switchyard.agent.metrics;

import java.util.OptionalLong;

/**
 * Reads the packet count of a named kernel accounting object (nfacct), which kube-proxy's
 * iptables rules bump and its metrics export; empty when the object cannot be read.
 */
@FunctionalInterface
public interface PacketCounters {

    /** Reads nothing: the nfacct metrics are left out. */
    PacketCounters NONE = name -> OptionalLong.empty();

    OptionalLong packets(String name);
}
