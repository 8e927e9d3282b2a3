package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.plan.IpvsOperation;
import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Carries out planned IPVS operations, forgivingly where the kernel already is where the
 * operation leads (an add of what exists becomes an update, a delete of what is gone is done),
 * and, as kube-proxy does, one virtual server at a time: an operation the kernel refuses is
 * noted, the rest of that server's operations are skipped, and the other servers go ahead.
 */
final class IpvsApplier {

    /**
     * What applying did.
     *
     * @param applied  operations the kernel took
     * @param failed   virtual servers with an operation the kernel refused
     * @param errors   one line per refusal, for the log
     */
    record Outcome(int applied, Set<VirtualServer.Key> failed, List<String> errors) {
        Outcome {
            failed = Collections.unmodifiableSet(new TreeSet<>(failed));
            errors = List.copyOf(errors);
        }
    }

    private final Ipvs ipvs;

    IpvsApplier(Ipvs ipvs) {
        this.ipvs = ipvs;
    }

    Outcome apply(List<? extends IpvsOperation> operations) {
        int applied = 0;
        Set<VirtualServer.Key> failed = new TreeSet<>();
        List<String> errors = new ArrayList<>();
        for (IpvsOperation operation : operations) {
            VirtualServer.Key key = operation.server().key();
            if (failed.contains(key)) {
                continue;
            }
            try {
                apply(operation);
                applied++;
            } catch (NetlinkException e) {
                failed.add(key);
                errors.add(e.getMessage());
            }
        }
        return new Outcome(applied, failed, errors);
    }

    private void apply(IpvsOperation operation) {
        switch (operation) {
            case IpvsOperation.AddServer(VirtualServer server) -> {
                try {
                    ipvs.addVirtualServer(server);
                } catch (NetlinkException e) {
                    rethrowUnless(e, Errno.EEXIST);
                    ipvs.updateVirtualServer(server);
                }
            }
            case IpvsOperation.UpdateServer(VirtualServer server) -> {
                try {
                    ipvs.updateVirtualServer(server);
                } catch (NetlinkException e) {
                    rethrowUnless(e, Errno.ESRCH);
                    ipvs.addVirtualServer(server);
                }
            }
            case IpvsOperation.DeleteServer(VirtualServer server) -> {
                try {
                    ipvs.deleteVirtualServer(server.key());
                } catch (NetlinkException e) {
                    rethrowUnless(e, Errno.ESRCH);
                }
            }
            case IpvsOperation.AddDestination(VirtualServer server, var destination) -> {
                try {
                    ipvs.addDestination(server.key(), destination);
                } catch (NetlinkException e) {
                    rethrowUnless(e, Errno.EEXIST);
                    ipvs.updateDestination(server.key(), destination);
                }
            }
            case IpvsOperation.UpdateDestination(VirtualServer server, var destination) -> {
                try {
                    ipvs.updateDestination(server.key(), destination);
                } catch (NetlinkException e) {
                    rethrowUnless(e, Errno.ENOENT);
                    if (destination.weight() > 0) {
                        ipvs.addDestination(server.key(), destination);
                    }
                    // A real server to drain that is gone already needs nothing more.
                }
            }
            case IpvsOperation.DeleteDestination(VirtualServer server, var destination) -> {
                try {
                    ipvs.deleteDestination(server.key(), destination.key());
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.ENOENT && e.errno() != Errno.ESRCH) {
                        throw e;
                    }
                }
            }
        }
    }

    private static void rethrowUnless(NetlinkException e, int errno) {
        if (e.errno() != errno) {
            throw e;
        }
    }
}
