package io.switchyard.ipvs;

import java.util.List;

/**
 * The kernel's IPVS table, as the agent programs it: virtual services, their destinations, and
 * the global connection timeouts. {@link io.switchyard.ipvs.netlink.IpvsNetlink} talks to the
 * kernel over generic netlink; {@link InMemoryIpvs} keeps the same rules in memory for tests.
 *
 * <p>Failures are {@link io.switchyard.netlink.NetlinkException}s carrying the kernel's errno:
 * {@code EEXIST} when adding what exists, {@code ESRCH} for a virtual service that does not
 * exist, {@code ENOENT} for a destination that does not exist, {@code EINVAL} for settings the
 * kernel refuses (an unknown scheduler, an address it will not route).
 */
public interface Ipvs extends AutoCloseable {

    /** The IPVS version and connection table size ({@code ipvsadm}'s first line). */
    IpvsInfo info();

    /** Every virtual service, as the kernel reports it (flags include {@link VirtualServer#HASHED}). */
    List<VirtualServer> virtualServers();

    /** Adds a virtual service. */
    void addVirtualServer(VirtualServer service);

    /** Changes the scheduler, flags, persistence timeout and netmask of an existing virtual service. */
    void updateVirtualServer(VirtualServer service);

    /** Deletes a virtual service with its destinations. */
    void deleteVirtualServer(VirtualServer.Key service);

    /** The destinations of a virtual service, with the kernel's connection counters. */
    List<Destination> destinations(VirtualServer.Key service);

    /** Adds a destination to a virtual service. */
    void addDestination(VirtualServer.Key service, Destination destination);

    /** Changes the weight, forwarding method and thresholds of an existing destination. */
    void updateDestination(VirtualServer.Key service, Destination destination);

    /** Removes a destination from a virtual service. */
    void deleteDestination(VirtualServer.Key service, Destination.Key destination);

    /** Deletes every virtual service ({@code ipvsadm -C}). */
    void flush();

    /** The TCP, TCP FIN-WAIT and UDP connection timeouts ({@code ipvsadm -L --timeout}). */
    IpvsTimeouts timeouts();

    /** Sets the timeouts; a 0 leaves that timeout as it is ({@code ipvsadm --set}). */
    void setTimeouts(IpvsTimeouts timeouts);

    @Override
    void close();
}
