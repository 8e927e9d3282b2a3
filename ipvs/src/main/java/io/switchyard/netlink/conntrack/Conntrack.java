package io.switchyard.netlink.conntrack;

import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;

import java.util.Collection;
import java.util.List;

/**
 * The connection tracking table of one network namespace: list entries, delete the ones that
 * would keep sending UDP to a service or endpoint that is gone. {@link CtnetlinkConntrack} is
 * the kernel's (ctnetlink).
 */
public interface Conntrack extends AutoCloseable {

    /** Every entry of one address family. */
    List<ConntrackEntry> list(IpFamily family);

    /** The entries of one address family and protocol. */
    default List<ConntrackEntry> list(IpFamily family, Protocol protocol) {
        int number = CtnetlinkCodec.protocolNumber(protocol);
        return list(family).stream().filter(e -> e.protocol() == number).toList();
    }

    /** Deletes one entry (by its original tuple and id); false when it is already gone. */
    boolean delete(ConntrackEntry entry);

    /** Deletes every entry of a family that matches any of the filters; returns how many were deleted. */
    default int delete(IpFamily family, Collection<ConntrackFilter> filters) {
        if (filters.isEmpty()) {
            return 0;
        }
        int deleted = 0;
        for (ConntrackEntry entry : list(family)) {
            if (filters.stream().anyMatch(f -> f.matches(entry)) && delete(entry)) {
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    void close();
}
