package io.switchyard.ipvs;

import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An IPVS table in memory that answers like the kernel: the same errnos for the same mistakes,
 * {@link VirtualServer#HASHED} on listed services, default timeouts of 900/120/300 seconds. For
 * tests of code that programs {@link Ipvs}; a contract test runs the same cases against the
 * kernel to keep the two alike.
 */
public final class InMemoryIpvs implements Ipvs {

    /** The version Linux has reported since 2.6.28. */
    public static final IpvsInfo INFO = new IpvsInfo(0x010201, 4096);
    /** The kernel's default timeouts. */
    public static final IpvsTimeouts DEFAULT_TIMEOUTS = new IpvsTimeouts(900, 120, 300);

    private final Map<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
    private final Map<VirtualServer.Key, Map<Destination.Key, Destination>> destinations = new TreeMap<>();
    private IpvsTimeouts timeouts = DEFAULT_TIMEOUTS;

    @Override
    public IpvsInfo info() {
        return INFO;
    }

    @Override
    public synchronized List<VirtualServer> virtualServers() {
        return List.copyOf(services.values());
    }

    @Override
    public synchronized void addVirtualServer(VirtualServer service) {
        String what = "add IPVS virtual server " + service.key();
        validate(service, what);
        if (services.containsKey(service.key())) {
            throw new NetlinkException(what, Errno.EEXIST, null);
        }
        services.put(service.key(), hashed(service));
        destinations.put(service.key(), new LinkedHashMap<>());
    }

    @Override
    public synchronized void updateVirtualServer(VirtualServer service) {
        String what = "update IPVS virtual server " + service.key();
        validate(service, what);
        if (!services.containsKey(service.key())) {
            throw new NetlinkException(what, Errno.ESRCH, null);
        }
        services.put(service.key(), hashed(service));
    }

    private static void validate(VirtualServer service, String what) {
        if (!Schedulers.KNOWN.contains(service.scheduler())) {
            throw new NetlinkException(what, Errno.ENOENT, null);
        }
        if (service.family() == IpFamily.IPV6 && (service.netmask() < 1 || service.netmask() > 128)) {
            throw new NetlinkException(what, Errno.EINVAL, null);
        }
    }

    private static VirtualServer hashed(VirtualServer s) {
        return new VirtualServer(s.family(), s.protocol(), s.address(), s.port(), s.fwmark(), s.scheduler(),
                s.flags() | VirtualServer.HASHED, s.timeoutSeconds(), s.netmask());
    }

    @Override
    public synchronized void deleteVirtualServer(VirtualServer.Key service) {
        if (services.remove(service) == null) {
            throw new NetlinkException("delete IPVS virtual server " + service, Errno.ESRCH, null);
        }
        destinations.remove(service);
    }

    @Override
    public synchronized List<Destination> destinations(VirtualServer.Key service) {
        Map<Destination.Key, Destination> of = destinations.get(service);
        return of == null ? List.of() : List.copyOf(of.values());
    }

    @Override
    public synchronized void addDestination(VirtualServer.Key service, Destination destination) {
        Map<Destination.Key, Destination> of = destinationsOf(service, "add destination " + destination.key());
        if (of.containsKey(destination.key())) {
            throw new NetlinkException("add destination " + destination.key() + " to " + service, Errno.EEXIST, null);
        }
        of.put(destination.key(), installed(destination));
    }

    @Override
    public synchronized void updateDestination(VirtualServer.Key service, Destination destination) {
        Map<Destination.Key, Destination> of = destinationsOf(service, "update destination " + destination.key());
        Destination old = of.get(destination.key());
        if (old == null) {
            throw new NetlinkException("update destination " + destination.key() + " of " + service, Errno.ENOENT,
                    null);
        }
        of.put(destination.key(), new Destination(destination.address(), destination.port(), destination.weight(),
                destination.method(), destination.upperThreshold(), destination.lowerThreshold(),
                old.activeConnections(), old.inactiveConnections(), old.persistentConnections()));
    }

    @Override
    public synchronized void deleteDestination(VirtualServer.Key service, Destination.Key destination) {
        Map<Destination.Key, Destination> of = destinationsOf(service, "delete destination " + destination);
        if (of.remove(destination) == null) {
            throw new NetlinkException("delete destination " + destination + " from " + service, Errno.ENOENT, null);
        }
    }

    private Map<Destination.Key, Destination> destinationsOf(VirtualServer.Key service, String what) {
        Map<Destination.Key, Destination> of = destinations.get(service);
        if (of == null) {
            throw new NetlinkException(what + " of IPVS virtual server " + service, Errno.ESRCH, null);
        }
        return of;
    }

    private static Destination installed(Destination d) {
        return new Destination(d.address(), d.port(), d.weight(), d.method(), d.upperThreshold(),
                d.lowerThreshold(), 0, 0, 0);
    }

    @Override
    public synchronized void flush() {
        services.clear();
        destinations.clear();
    }

    @Override
    public synchronized IpvsTimeouts timeouts() {
        return timeouts;
    }

    @Override
    public synchronized void setTimeouts(IpvsTimeouts update) {
        timeouts = timeouts.updatedBy(update);
    }

    /**
     * Sets a destination's connection counters, as traffic would (for tests of what waits on
     * them: graceful termination).
     */
    public synchronized void setConnections(VirtualServer.Key service, Destination.Key destination, int active,
                                            int inactive) {
        Map<Destination.Key, Destination> of = destinationsOf(service, "set connections of " + destination);
        Destination d = of.get(destination);
        if (d == null) {
            throw new NetlinkException("set connections of " + destination + " of " + service, Errno.ENOENT, null);
        }
        of.put(destination, new Destination(d.address(), d.port(), d.weight(), d.method(), d.upperThreshold(),
                d.lowerThreshold(), active, inactive, d.persistentConnections()));
    }

    /** Every destination of every service, for assertions. */
    public synchronized Map<VirtualServer.Key, List<Destination>> snapshot() {
        Map<VirtualServer.Key, List<Destination>> copy = new TreeMap<>();
        destinations.forEach((k, v) -> copy.put(k, new ArrayList<>(v.values())));
        return copy;
    }

    @Override
    public void close() {
    }
}
