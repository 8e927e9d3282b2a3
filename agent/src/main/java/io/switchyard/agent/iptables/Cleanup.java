package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.ChainNames;
import io.switchyard.rules.iptables.KubeChains;
import io.switchyard.rules.iptables.KubeChains.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code --cleanup}: removes everything kube-proxy's iptables mode (and so Switchyard) installs
 * for one family — the jumps from the builtin chains, then our nat and filter chains and the
 * canaries. kubelet's KUBE-FIREWALL is left alone, as kube-proxy leaves it.
 */
public final class Cleanup {

    private static final System.Logger LOG = System.getLogger(Cleanup.class.getName());
    private static final List<String> NAT_CHAINS = List.of(KubeChains.SERVICES, KubeChains.NODE_PORTS,
            KubeChains.POSTROUTING, KubeChains.MARK_MASQ, KubeChains.CANARY);
    private static final List<String> FILTER_CHAINS = List.of(KubeChains.SERVICES, KubeChains.EXTERNAL_SERVICES,
            KubeChains.FORWARD, KubeChains.NODE_PORTS, KubeChains.PROXY_FIREWALL, KubeChains.CANARY);

    private Cleanup() {
    }

    /**
     * Removes our rules; returns false if anything could not be removed (it is logged).
     *
     * @throws Iptables.ToolException when the iptables tools cannot be run at all: nothing was removed
     */
    public static boolean run(Iptables iptables) throws Iptables.ToolException {
        iptables.requireTools();
        boolean ok = true;
        for (KubeChains.Jump jump : KubeChains.JUMPS) {
            if (!jump.target().equals(KubeChains.FIREWALL) && !iptables.deleteJump(jump)) {
                LOG.log(System.Logger.Level.ERROR, "Error removing jump {0} -> {1}", jump.builtin(), jump.target());
                ok = false;
            }
        }
        ok &= flushAndDelete(iptables, Table.NAT, NAT_CHAINS, true);
        ok &= flushAndDelete(iptables, Table.FILTER, FILTER_CHAINS, false);
        if (!iptables.deleteChain(Table.MANGLE, KubeChains.CANARY)) {
            ok = false;
        }
        return ok;
    }

    private static boolean flushAndDelete(Iptables iptables, Table table, List<String> fixed, boolean serviceChains) {
        Set<String> existing;
        try {
            existing = iptables.chains(table);
        } catch (Iptables.ToolException e) {
            LOG.log(System.Logger.Level.ERROR, "Cannot list the {0} chains to remove: {1}", table.iptablesName(), e.getMessage());
            return false;
        }
        List<String> doomed = new ArrayList<>();
        fixed.stream().filter(existing::contains).forEach(doomed::add);
        if (serviceChains) {
            existing.stream().filter(ChainNames::isServiceChain).forEach(doomed::add);
        }
        if (doomed.isEmpty()) {
            return true;
        }
        StringBuilder document = new StringBuilder("*").append(table.iptablesName()).append('\n');
        doomed.forEach(c -> document.append(':').append(c).append(" - [0:0]\n"));
        doomed.forEach(c -> document.append("-X ").append(c).append('\n'));
        document.append("COMMIT\n");
        try {
            iptables.restore(document.toString());
            return true;
        } catch (Iptables.RestoreException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to remove {0} chains: {1}", table.iptablesName(), e.getMessage());
            return false;
        }
    }
}
