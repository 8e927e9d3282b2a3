package io.switchyard.agent.iptables;

import io.switchyard.agent.node.NodeSettingException;
import io.switchyard.agent.node.Sysctls;
import io.switchyard.rules.iptables.IptablesConfig;

/**
 * What the iptables rules need from the node's kernel parameters, as kube-proxy's iptables mode
 * handles them: route_localnet set when node ports answer on localhost (IPv4), and
 * nf_conntrack_tcp_be_liberal read — when it is set, out-of-window TCP is accepted and there is
 * no INVALID drop rule. Both go through the dataplane's {@link Sysctls}, so they reach the network
 * namespace it programs.
 */
final class NodeSettings {

    private static final System.Logger LOG = System.getLogger(NodeSettings.class.getName());
    static final String ROUTE_LOCALNET = "net.ipv4.conf.all.route_localnet";
    static final String TCP_BE_LIBERAL = "net.netfilter.nf_conntrack_tcp_be_liberal";

    private final Sysctls sysctls;
    private boolean routeLocalnetPending;

    NodeSettings(Sysctls sysctls) {
        this.sysctls = sysctls;
    }

    /** The renderer's settings with the kernel's say in them; sets route_localnet if they need it. */
    IptablesConfig apply(IptablesConfig config) {
        boolean liberal = conntrackTcpLiberal();
        if (config.localhostNodePorts()) {
            ensureRouteLocalnet();
        }
        return new IptablesConfig(config.family(), config.masqueradeBit(), config.masqueradeAll(),
                config.localDetector(), config.localhostNodePorts(), config.nodePortAddresses(), liberal,
                config.invalidDropCounter(), config.localhostNodePortCounter(), config.preferSameNodeHints());
    }

    /** Tries again what failed before (on full syncs). */
    void retry() {
        if (routeLocalnetPending) {
            ensureRouteLocalnet();
        }
    }

    private boolean conntrackTcpLiberal() {
        try {
            String value = sysctls.read(TCP_BE_LIBERAL);
            if (!value.equals("0")) {
                LOG.log(System.Logger.Level.INFO, "{0} is {1}: not installing the DROP rule for INVALID packets",
                        TCP_BE_LIBERAL, value);
                return true;
            }
        } catch (NodeSettingException e) {
            LOG.log(System.Logger.Level.DEBUG, "Cannot read {0}, taking it as unset: {1}", TCP_BE_LIBERAL, e.getMessage());
        }
        return false;
    }

    /** Node ports on 127.0.0.1 need the kernel to route to 127/8 from other interfaces. */
    private void ensureRouteLocalnet() {
        try {
            if (!sysctls.read(ROUTE_LOCALNET).equals("1")) {
                LOG.log(System.Logger.Level.INFO, "Setting {0}=1 so that node ports answer on localhost; to avoid it, "
                        + "disable iptables.localhostNodePorts or leave loopback out of nodePortAddresses", ROUTE_LOCALNET);
                sysctls.write(ROUTE_LOCALNET, "1");
            }
            routeLocalnetPending = false;
        } catch (NodeSettingException e) {
            routeLocalnetPending = true;
            LOG.log(System.Logger.Level.ERROR, "Node ports will not answer on localhost: {0}; retried on the next full sync",
                    e.getMessage());
        }
    }
}
