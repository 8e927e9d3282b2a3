package io.switchyard.netlink.conntrack;

import io.switchyard.rules.model.IpFamily;

/**
 * One conntrack entry as {@code conntrack -L} lists it: the original and reply directions (they
 * differ when the flow was NATed, e.g. a service IP in the original destination and the chosen
 * endpoint in the reply source), and the kernel's id, which a deletion names so it never removes
 * a newer entry that happens to reuse the tuple.
 */
public record ConntrackEntry(IpFamily family, ConntrackTuple original, ConntrackTuple reply, int id, int zone,
                             int mark, int status, int timeoutSeconds) {

    /** The IP protocol number of the flow. */
    public int protocol() {
        return original.protocol();
    }
}
