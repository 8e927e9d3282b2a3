package io.switchyard.agent.ipvs;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.IpvsSettings;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.node.NamespaceSysctls;
import io.switchyard.agent.node.NodeSettingException;
import io.switchyard.agent.node.ProcSysctls;
import io.switchyard.agent.node.Sysctls;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.IpvsTimeouts;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.ipvs.netlink.IpvsNetlink;
import io.switchyard.netlink.Errno;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.rtnl.NetworkInterfaces;
import io.switchyard.netlink.rtnl.RtnetlinkInterfaces;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starting ipvs mode, as kube-proxy v1.32 does before its first sync: IPVS must answer (the
 * {@code ip_vs} module is loaded when it is not), the scheduler must work, the sysctls ipvs mode
 * needs are set (and no others), the IPVS timeouts are set when configured; then one
 * {@link IpvsDataplane} per family. Anything that stops ipvs mode from working ends start-up
 * with one line.
 */
public final class IpvsMode {

    private static final System.Logger LOG = System.getLogger(IpvsMode.class.getName());

    static final String VS_CONNTRACK = "net.ipv4.vs.conntrack";
    static final String VS_CONN_REUSE_MODE = "net.ipv4.vs.conn_reuse_mode";
    static final String VS_EXPIRE_NODEST_CONN = "net.ipv4.vs.expire_nodest_conn";
    static final String VS_EXPIRE_QUIESCENT_TEMPLATE = "net.ipv4.vs.expire_quiescent_template";
    static final String IP_FORWARD = "net.ipv4.ip_forward";
    static final String ARP_IGNORE = "net.ipv4.conf.all.arp_ignore";
    static final String ARP_ANNOUNCE = "net.ipv4.conf.all.arp_announce";
    /** Where kube-proxy's scheduler probe puts its throwaway virtual server (TEST-NET-2). */
    static final String PROBE_ADDRESS = "198.51.100.0";
    static final int PROBE_PORT = 20000;

    private static final Pattern KERNEL_VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    /**
     * The kernel interfaces of the namespace ipvs mode programs.
     *
     * @param ipvs       opens IPVS (throws {@link NetlinkException} with ENOENT when the kernel has none)
     * @param interfaces opens links and addresses
     * @param processes  runs ipset, iptables and modprobe there
     * @param sysctls    that namespace's sysctls
     */
    public record Kernel(Supplier<Ipvs> ipvs, Supplier<NetworkInterfaces> interfaces, ProcessRunner processes,
                         Sysctls sysctls) {

        /** This process's own network namespace. */
        public static Kernel host(ProcessRunner processes) {
            return new Kernel(IpvsNetlink::open, RtnetlinkInterfaces::open, processes, ProcSysctls.host());
        }

        /** The named network namespace ({@code /var/run/netns/NAME}), from wherever this process is. */
        public static Kernel inNamespace(String name) {
            Path netns = Path.of("/var/run/netns", name);
            return new Kernel(() -> IpvsNetlink.open(netns), () -> RtnetlinkInterfaces.open(netns),
                    HostProcessRunner.inNetworkNamespace(name), new NamespaceSysctls(netns));
        }

        /** IPVS, or empty when the kernel has none (the module is not loaded here). */
        public Optional<Ipvs> ipvsIfPresent() {
            try {
                return Optional.of(ipvs.get());
            } catch (NetlinkException e) {
                if (e.errno() == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw e;
            }
        }
    }

    private IpvsMode() {
    }

    /**
     * Checks and prepares the node, then builds one dataplane per family.
     *
     * @param sweepPeriod how often each dataplane deletes drained real servers
     * @throws ConfigException with the one line to show when ipvs mode cannot work here
     */
    public static List<IpvsDataplane> start(ProxySettings settings, List<IpFamily> families, Kernel kernel,
                                            Duration sweepPeriod) {
        try (Ipvs ipvs = open(kernel)) {
            probeScheduler(ipvs, settings.ipvs().scheduler());
            applySysctls(kernel.sysctls(), settings.ipvs().strictArp());
            applyTimeouts(ipvs, settings.ipvs());
        }
        List<IpvsDataplane> dataplanes = new ArrayList<>();
        for (IpFamily family : families) {
            dataplanes.add(new IpvsDataplane(family, settings, kernel.ipvs().get(), kernel.interfaces().get(),
                    new IpsetCommands(kernel.processes()), new Iptables(family, kernel.processes()), sweepPeriod));
        }
        return dataplanes;
    }

    /** Opens IPVS, loading {@code ip_vs} once if the kernel does not answer for it yet. */
    static Ipvs open(Kernel kernel) {
        try {
            return kernel.ipvs().get();
        } catch (NetlinkException e) {
            if (e.errno() != Errno.ENOENT) {
                throw new ConfigException("--proxy-mode ipvs: cannot reach IPVS: " + e.getMessage());
            }
        }
        kernel.processes().run(List.of("modprobe", "-q", "ip_vs"), null);
        try {
            return kernel.ipvs().get();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new ConfigException("--proxy-mode ipvs: this kernel has no IPVS (no generic netlink family "
                        + "IPVS, and the ip_vs module could not be loaded)");
            }
            throw new ConfigException("--proxy-mode ipvs: cannot reach IPVS: " + e.getMessage());
        }
    }

    /**
     * kube-proxy's check that the scheduler works: fine when a virtual server already uses it,
     * otherwise a throwaway virtual server with it is added and deleted again.
     */
    static void probeScheduler(Ipvs ipvs, String scheduler) {
        try {
            if (ipvs.virtualServers().stream().anyMatch(s -> s.scheduler().equals(scheduler))) {
                return;
            }
            VirtualServer probe = VirtualServer.of(IpFamily.IPV4, Protocol.TCP, PROBE_ADDRESS, PROBE_PORT, scheduler, 0);
            ipvs.addVirtualServer(probe);
            ipvs.deleteVirtualServer(probe.key());
        } catch (NetlinkException e) {
            throw new ConfigException("--ipvs-scheduler " + scheduler + ": IPVS cannot use it here: " + e.getMessage());
        }
    }

    /**
     * The sysctls kube-proxy's ipvs proxier ensures, in its order: each is written only when it
     * differs. conn_reuse_mode is set to 0 only on kernels from 4.1 to before 5.9 (later ones
     * fixed what it worked around); ARP is made strict only when asked.
     */
    static Map<String, String> applySysctls(Sysctls sysctls, boolean strictArp) {
        Map<String, String> changed = new LinkedHashMap<>();
        ensure(sysctls, VS_CONNTRACK, "1", changed);
        Optional<int[]> version = kernelVersion(sysctls);
        if (version.isEmpty() || compare(version.get(), 4, 1) < 0) {
            LOG.log(System.Logger.Level.ERROR, "Can''t set sysctl {0}: kernel version {1} doesn''t satisfy minimum "
                    + "version requirements (4.1)", VS_CONN_REUSE_MODE, version.map(v -> v[0] + "." + v[1]).orElse("?"));
        } else if (compare(version.get(), 5, 9) < 0) {
            ensure(sysctls, VS_CONN_REUSE_MODE, "0", changed);
        }
        ensure(sysctls, VS_EXPIRE_NODEST_CONN, "1", changed);
        ensure(sysctls, VS_EXPIRE_QUIESCENT_TEMPLATE, "1", changed);
        ensure(sysctls, IP_FORWARD, "1", changed);
        if (strictArp) {
            ensure(sysctls, ARP_IGNORE, "1", changed);
            ensure(sysctls, ARP_ANNOUNCE, "2", changed);
        }
        return changed;
    }

    private static void ensure(Sysctls sysctls, String key, String value, Map<String, String> changed) {
        String current;
        try {
            current = sysctls.read(key);
        } catch (NodeSettingException e) {
            current = null;
        }
        if (value.equals(current)) {
            return;
        }
        try {
            sysctls.write(key, value);
        } catch (NodeSettingException e) {
            throw new ConfigException("--proxy-mode ipvs: " + e.getMessage());
        }
        LOG.log(System.Logger.Level.INFO, "Set sysctl entry={0} value={1} previous={2}", key, value,
                current == null ? "?" : current);
        changed.put(key, value);
    }

    private static Optional<int[]> kernelVersion(Sysctls sysctls) {
        try {
            Matcher m = KERNEL_VERSION.matcher(sysctls.read("kernel.osrelease"));
            return m.find() ? Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
                    : Optional.empty();
        } catch (NodeSettingException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static int compare(int[] version, int major, int minor) {
        return version[0] != major ? Integer.compare(version[0], major) : Integer.compare(version[1], minor);
    }

    /** {@code ipvsadm --set}, as kube-proxy: only when a timeout is configured; a failure is logged. */
    static void applyTimeouts(Ipvs ipvs, IpvsSettings settings) {
        IpvsTimeouts timeouts = new IpvsTimeouts(seconds(settings.tcpTimeout()), seconds(settings.tcpFinTimeout()),
                seconds(settings.udpTimeout()));
        if (timeouts.tcpSeconds() == 0 && timeouts.tcpFinSeconds() == 0 && timeouts.udpSeconds() == 0) {
            return;
        }
        try {
            ipvs.setTimeouts(timeouts);
        } catch (NetlinkException e) {
            LOG.log(System.Logger.Level.ERROR, "Failed to configure IPVS timeouts: {0}", e.getMessage());
        }
    }

    private static int seconds(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, duration.toSeconds()));
    }
}
