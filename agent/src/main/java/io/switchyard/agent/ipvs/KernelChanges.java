package io.switchyard.agent.ipvs;

import io.switchyard.ipvs.desired.HostAddresses;
import io.switchyard.ipvs.plan.IpvsPlan;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.LinkAddress;
import io.switchyard.netlink.rtnl.NetworkInterfaces;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The IPVS and address changes of one sync, made one by one: each the kernel refuses is noted
 * and the others go ahead, as kube-proxy goes on past a refused virtual server.
 */
final class KernelChanges {

    private final IpvsApplier applier;
    private final NetworkInterfaces interfaces;
    private int applied;
    private final List<String> errors = new ArrayList<>();

    KernelChanges(IpvsApplier applier, NetworkInterfaces interfaces) {
        this.applier = applier;
        this.interfaces = interfaces;
    }

    /** Virtual servers added and updated, real servers added, re-weighted or deleted. */
    void changes(IpvsPlan plan) {
        add(applier.apply(plan.changes()));
    }

    /** Virtual servers no longer wanted. */
    void deletions(IpvsPlan plan) {
        add(applier.apply(plan.deletions()));
    }

    private void add(IpvsApplier.Outcome outcome) {
        applied += outcome.applied();
        errors.addAll(outcome.errors());
    }

    void bind(Collection<String> addresses) {
        for (String address : addresses) {
            try {
                interfaces.addAddress(HostAddresses.DUMMY_INTERFACE, LinkAddress.host(address));
            } catch (NetlinkException e) {
                errors.add(e.getMessage());
            }
        }
    }

    void unbind(Collection<String> addresses) {
        for (String address : addresses) {
            try {
                interfaces.deleteAddress(HostAddresses.DUMMY_INTERFACE, LinkAddress.host(address));
            } catch (NetlinkException e) {
                errors.add(e.getMessage());
            }
        }
    }

    /** IPVS operations the kernel took. */
    int applied() {
        return applied;
    }

    /** One line per refusal. */
    List<String> errors() {
        return List.copyOf(errors);
    }
}
