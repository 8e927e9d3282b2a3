package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.ProxyMode;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.node.NodeSetup;
import io.switchyard.agent.node.ProcSysctls;
import io.switchyard.agent.node.ProcessSysctls;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Cleanup;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.iptables.IptablesDataplane;
import io.switchyard.agent.iptables.NfacctCounters;
import io.switchyard.agent.iptables.RulesetGeneration;
import io.switchyard.netlink.nftables.NftGeneration;
import io.switchyard.agent.ipvs.IpvsCleanup;
import io.switchyard.agent.ipvs.IpvsDataplane;
import io.switchyard.agent.ipvs.IpvsLeftovers;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.agent.proxy.DualStackProxier;
import io.switchyard.agent.proxy.Proxier;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.conntrack.ConntrackReconciler;
import io.switchyard.netlink.conntrack.Conntrack;
import io.switchyard.netlink.conntrack.CtnetlinkConntrack;
import io.switchyard.agent.logging.Logging;
import io.kubernetes.client.openapi.ApiClient;
import io.switchyard.agent.source.ApiClients;
import io.switchyard.agent.source.FileSource;
import io.switchyard.agent.source.InformerSource;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.rules.model.IpFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code switchyard run}: the node agent, following the cluster and programming this node's kernel. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy: follow Services, EndpointSlices and this Node, and program the kernel.")
public final class RunCommand implements Callable<Integer> {

    private static final System.Logger LOG = System.getLogger(RunCommand.class.getName());

    @Option(names = "--from", paramLabel = "PATH",
            description = "Take cluster state from a manifest file or directory (re-read on change) instead of an API server.")
    Path from;

    @Option(names = "--cleanup", description = "Remove everything kube-proxy/Switchyard installed, then exit.")
    boolean cleanup;

    @Option(names = {"-v", "--v"}, paramLabel = "LEVEL", defaultValue = "0", description = "Log verbosity.")
    int verbosity;

    @Mixin
    ProxyFlags flags;

    @Spec
    CommandSpec spec;

    private final ProcessRunner processes;

    public RunCommand() {
        this(new HostProcessRunner());
    }

    /** A command that runs the iptables tools through {@code processes}. */
    RunCommand(ProcessRunner processes) {
        this.processes = processes;
    }

    @Override
    public Integer call() throws Exception {
        StartupTimeline timeline = new StartupTimeline(InstantSource.system(), StartupTimeline.processStart());
        Logging.configure(verbosity);
        if (cleanup) {
            return cleanup(spec.commandLine().getErr());
        }
        ProxySettings settings = flags.resolve();
        timeline.mark("settings");
        if (flags.writeConfigIfRequested(settings)) {
            return 0;
        }
        StopSignals signals = StopSignals.install();
        try {
            run(settings, signals, timeline);
        } finally {
            signals.stopped();
        }
        return 0;
    }

    /** Programs the kernel until a stop is requested, then closes everything but the rules. */
    private void run(ProxySettings settings, StopSignals signals, StartupTimeline timeline) throws Exception {
        List<IpvsDataplane> ipvsDataplanes = settings.mode() == ProxyMode.IPVS
                ? IpvsMode.start(settings, supportedFamilies(processes), IpvsMode.Kernel.host(processes),
                        IpvsDataplane.SWEEP_PERIOD)
                : List.of();
        NodeSetup.apply(settings, ProcSysctls.host());
        InstantSource clock = InstantSource.system();
        try (AgentServers servers = new AgentServers(settings, processes, clock)) {
            timeline.mark("servers");
            List<SyncListener> listeners = new ArrayList<>(servers.listeners());
            listeners.add(timeline);
            listeners.addAll(HeapPacer.forThisJvm());
            Conntrack conntrack = openConntrack();
            if (conntrack != null) {
                listeners.add(new ConntrackReconciler(conntrack));
            }
            List<Proxier> proxiers = new ArrayList<>();
            for (IpvsDataplane dataplane : ipvsDataplanes) {
                proxiers.add(new Proxier(dataplane, settings.hostname(), settings.syncPeriod(), settings.minSyncPeriod(),
                        listeners, clock));
            }
            if (settings.mode() == ProxyMode.IPTABLES) {
                NfacctCounters counters = new NfacctCounters(processes);
                List<IpFamily> families = supportedFamilies(processes);
                listeners.addAll(IpvsLeftovers.ifPresent(IpvsMode.Kernel.host(processes), families));
                for (IpFamily family : families) {
                    Iptables iptables = new Iptables(family, processes);
                    IptablesDataplane dataplane = new IptablesDataplane(family, settings, iptables, counters,
                            new ProcessSysctls(processes), IptablesDataplane.MAX_TRANSACTION_LINES,
                            RulesetGeneration.of(iptables, NftGeneration::open));
                    proxiers.add(new Proxier(dataplane, settings.hostname(), settings.syncPeriod(), settings.minSyncPeriod(),
                            listeners, clock));
                }
            }
            LOG.log(System.Logger.Level.INFO, "Starting Switchyard proxyMode={0} node={1} families={2}",
                    settings.proxyMode(), settings.hostname(), proxiers.stream().map(Proxier::family).toList());

            timeline.mark("proxiers");
            try (DualStackProxier proxy = new DualStackProxier(proxiers, List.of(servers.nodeWatcher()))) {
                proxy.start();
                try (AutoCloseable source = startSource(settings, proxy, timeline)) {
                    timeline.mark("sourceStarted");
                    String reason = signals.await();
                    LOG.log(System.Logger.Level.INFO, "Received {0}, shutting down; the rules stay in place", reason);
                }
            }
        }
    }

    /**
     * Removes our rules of both families and of both modes: ipvs mode's first (IPVS when the kernel
     * has it, our ipsets, kube-ipvs0, its chains and jumps), since iptables mode's cleanup cannot
     * delete a chain they still use. Without iptables (IPv4) nothing can be removed: that is an
     * error. Without ip6tables there can be no IPv6 rules of ours to remove.
     */
    private int cleanup(PrintWriter err) {
        IpvsCleanup.Result ipvs = IpvsCleanup.run(IpvsMode.Kernel.host(processes), supportedFamilies(processes),
                IpvsCleanup.Scope.ALL);
        if (!ipvs.ok()) {
            err.println("switchyard: cleanup could not remove " + String.join("; ", ipvs.failures()));
        }
        boolean ok = ipvs.ok();
        for (IpFamily family : IpFamily.values()) {
            try {
                ok &= Cleanup.run(new Iptables(family, processes));
            } catch (Iptables.ToolException e) {
                if (family == IpFamily.IPV4) {
                    err.println("switchyard: cannot clean up: " + e.getMessage());
                    return 1;
                }
                LOG.log(System.Logger.Level.INFO, "Skipping the {0} cleanup: {1}", family, e.getMessage());
            }
        }
        if (!ok) {
            err.println("switchyard: cleanup left some rules in place (see the log above)");
        }
        return ok ? 0 : 1;
    }

    private AutoCloseable startSource(ProxySettings settings, DualStackProxier handlers, StartupTimeline timeline) throws IOException {
        ProxySelection selection = new ProxySelection(settings.serviceProxyName());
        if (from != null) {
            FileSource source = new FileSource(from, settings.hostname(), selection, handlers, handlers, handlers,
                    () -> handlers.deferSyncs()::close);
            source.start();
            return source;
        }
        InformerSource source = new InformerSource(apiClient(settings), settings.hostname(),
                settings.serviceProxyName(), handlers, handlers, handlers, timeline);
        source.start();
        return source;
    }

    /** The API client from --kubeconfig / --master / the pod's service account, or a clear error. */
    static ApiClient apiClient(ProxySettings settings) {
        try {
            return ApiClients.create(settings.kubeconfig(), settings.master());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage() + ", or use --from PATH");
        } catch (IOException e) {
            throw new ConfigException("cannot read kubeconfig " + settings.kubeconfig() + ": " + e.getMessage());
        }
    }

    /** The conntrack table, for cleaning stale UDP flows; null (logged) when the kernel offers none. */
    private static Conntrack openConntrack() {
        try {
            return CtnetlinkConntrack.open();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot open the conntrack table, stale UDP flows will not be cleaned: {0}",
                    e.getMessage());
            return null;
        }
    }

    /** IPv4 always; IPv6 too when this kernel and ip6tables can do it, as kube-proxy runs dual-stack. */
    private static List<IpFamily> supportedFamilies(ProcessRunner processes) {
        List<IpFamily> families = new ArrayList<>(List.of(IpFamily.IPV4));
        if (processes.run(List.of("ip6tables", "-w", "5", "-t", "nat", "-S", "POSTROUTING"), null).ok()) {
            families.add(IpFamily.IPV6);
        }
        return families;
    }
}
