package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.logging.Logging;
import io.switchyard.agent.config.ProxyMode;
import io.switchyard.agent.exec.HostProcessRunner;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.iptables.Iptables;
import io.switchyard.agent.ipvs.IpsetCommands;
import io.switchyard.agent.ipvs.IpvsDump;
import io.switchyard.agent.ipvs.IpvsMode;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.desired.IpvsDesiredState;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.agent.iptables.LiveRules;
import io.switchyard.agent.source.ApiSnapshot;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ManifestLoader;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.RestoreDocument;
import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.model.IpFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code switchyard dump-rules}: prints, as one iptables-restore document, what Switchyard would
 * program on this node for a cluster state read from manifests.
 */
@Command(name = "dump-rules", mixinStandardHelpOptions = true,
        description = {"Print the iptables ruleset Switchyard would install, as one iptables-restore document.",
                "With --proxy-mode ipvs: the IPVS virtual servers, the ipsets and the iptables rules, each in a "
                        + "section headed by a # line.",
                "With --live, print what is installed; with --diff, compare the two (exit 1 when they differ, "
                        + "2 on errors)."})
public final class DumpRulesCommand implements Callable<Integer> {

    @Option(names = "--from", paramLabel = "PATH",
            description = "A manifest file or a directory of them (Services, EndpointSlices, the Node).")
    Path from;

    @Option(names = "--live", description = "Print the rules installed in this network namespace instead.")
    boolean live;

    @Option(names = "--diff", description = "Compare the desired rules with the installed ones; exit 1 when they differ.")
    boolean diff;

    @Option(names = "--ip-family", paramLabel = "FAMILY", defaultValue = "IPv4",
            description = "Which family's proxier to render: IPv4 (default) or IPv6.")
    String ipFamily;

    @Option(names = {"-v", "--v"}, paramLabel = "LEVEL", defaultValue = "0", description = "Log verbosity.")
    int verbosity;

    @Mixin
    ProxyFlags flags;

    @Spec
    CommandSpec spec;

    private final ProcessRunner processes;

    public DumpRulesCommand() {
        this(new HostProcessRunner());
    }

    /** A command whose --live and --diff read the kernel through {@code processes}. */
    DumpRulesCommand(ProcessRunner processes) {
        this.processes = processes;
    }

    @Override
    public Integer call() {
        Logging.configure(verbosity);
        IpFamily family;
        try {
            family = IpFamily.fromApiName(ipFamily);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--ip-family: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (from != null && !Files.exists(from)) {
            // Nothing on stdout: an empty-cluster document piped into iptables-restore would wipe the rules.
            err.println("switchyard: --from " + from + ": no such file or directory");
            return Switchyard.EXIT_INVALID_INPUT;
        }
        ProxySettings settings = flags.resolve();
        if (settings.mode() == ProxyMode.IPVS) {
            return ipvs(settings, family, out);
        }
        if (live) {
            try {
                out.print(new LiveRules(family, processes, processes).ownRules());
            } catch (Iptables.ToolException e) {
                err.println("switchyard: cannot read the installed rules: " + e.getMessage());
                return Switchyard.EXIT_INVALID_INPUT;
            }
            out.flush();
            return 0;
        }
        List<Problem> problems = new ArrayList<>();
        ClusterSnapshot built = snapshot(settings, family, problems);

        IptablesRenderer renderer = new IptablesRenderer(settings.iptablesConfig(family, built.node()));
        Ruleset ruleset = renderer.render(built.state(), built.node());
        String document = RestoreDocument.forEmptyNamespace(ruleset);
        int exit = problems.isEmpty() ? 0 : Switchyard.EXIT_INVALID_INPUT;
        if (diff) {
            List<String> differences;
            try {
                differences = new LiveRules(family, processes, processes).diff(document);
            } catch (Iptables.ToolException e) {
                err.println("switchyard: cannot compare with the installed rules: " + e.getMessage());
                return Switchyard.EXIT_INVALID_INPUT;
            }
            differences.forEach(out::println);
            exit = differences.isEmpty() ? exit : 1;
        } else {
            out.print(document);
        }
        out.flush();
        for (Problem problem : problems) {
            err.println("switchyard: " + problem);
        }
        return exit;
    }

    /**
     * ipvs mode: the virtual servers, ipsets and iptables rules in marked sections. Node ports
     * go on the addresses of the interfaces of the namespace this runs in, as {@code run} puts them.
     */
    private int ipvs(ProxySettings settings, IpFamily family, PrintWriter out) {
        IpvsMode.Kernel kernel = IpvsMode.Kernel.host(processes);
        try {
            if (live) {
                out.print(liveSections(kernel, family).text());
                out.flush();
                return 0;
            }
            List<Problem> problems = new ArrayList<>();
            ClusterSnapshot built = snapshot(settings, family, problems);
            IpvsDesiredState desired = IpvsDump.render(settings, family, built, kernel);
            desired.problems().forEach(p -> spec.commandLine().getErr().println("switchyard: " + p));
            int exit = problems.isEmpty() ? 0 : Switchyard.EXIT_INVALID_INPUT;
            if (diff) {
                List<String> differences = IpvsDump.diff(family, desired, liveSections(kernel, family), processes, processes);
                differences.forEach(out::println);
                exit = differences.isEmpty() ? exit : 1;
            } else {
                out.print(IpvsDump.desired(desired).text());
            }
            out.flush();
            for (Problem problem : problems) {
                spec.commandLine().getErr().println("switchyard: " + problem);
            }
            return exit;
        } catch (IpsetCommands.IpsetException | Iptables.ToolException | IllegalStateException | NetlinkException e) {
            out.flush();
            spec.commandLine().getErr().println("switchyard: " + e.getMessage());
            return Switchyard.EXIT_INVALID_INPUT;
        }
    }

    private static IpvsDump.Sections liveSections(IpvsMode.Kernel kernel, IpFamily family)
            throws IpsetCommands.IpsetException, Iptables.ToolException {
        Optional<Ipvs> ipvs = kernel.ipvsIfPresent();
        try {
            return IpvsDump.live(family, ipvs, kernel.processes());
        } finally {
            ipvs.ifPresent(Ipvs::close);
        }
    }

    /** The cluster state for one family, through the tracker the agent uses; problems are added to {@code problems}. */
    private ClusterSnapshot snapshot(ProxySettings settings, IpFamily family, List<Problem> problems) {
        ClusterObjects objects = load(settings, problems);
        ClusterSnapshot built = ClusterSnapshot.of(family, settings.hostname(),
                new ProxySelection(settings.serviceProxyName()), objects);
        problems.addAll(built.problems());
        return built;
    }

    private ClusterObjects load(ProxySettings settings, List<Problem> problems) {
        if (from != null) {
            ManifestLoader.Result loaded = ManifestLoader.load(from);
            problems.addAll(loaded.problems());
            return loaded.objects();
        }
        return ApiSnapshot.list(RunCommand.apiClient(settings), new ProxySelection(settings.serviceProxyName()),
                settings.hostname(), problems::add);
    }
}
