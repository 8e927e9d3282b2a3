package io.switchyard.netlink.rtnl;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The links and addresses of one network namespace, as the IPVS proxier needs them: its dummy
 * link ({@code kube-ipvs0}) and the service addresses bound to it, and every local address.
 * {@link RtnetlinkInterfaces} is the kernel's (rtnetlink).
 *
 * <p>Failures other than the expected absences are {@link io.switchyard.netlink.NetlinkException}s
 * with the kernel's errno.
 */
public interface NetworkInterfaces extends AutoCloseable {

    /** The link with this name, if there is one. */
    Optional<Link> link(String name);

    /** Every link. */
    List<Link> links();

    /** The dummy link with this name, created (down) if it is missing. */
    Link ensureDummy(String name);

    /** Creates a veth pair (for tests and hosts without the dummy link type). */
    void createVethPair(String name, String peerName);

    /** Sets a link administratively up or down. */
    void setUp(String name, boolean up);

    /** Deletes a link; false when there was none of that name. */
    boolean deleteLink(String name);

    /** The addresses on a link; empty when the link does not exist. */
    List<LinkAddress> addresses(String linkName);

    /** Every address on every link of the namespace. */
    List<LinkAddress> allAddresses();

    /**
     * Every address of the namespace by the name of its link, links without addresses included,
     * in two kernel round trips (links, then addresses) whatever the number of links.
     */
    Map<String, List<LinkAddress>> addressesByLink();

    /** Adds an address to a link; false when the link already has it. */
    boolean addAddress(String linkName, LinkAddress address);

    /** Removes an address from a link; false when the link does not have it. */
    boolean deleteAddress(String linkName, LinkAddress address);

    @Override
    void close();
}
