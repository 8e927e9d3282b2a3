package io.switchyard.agent.cli;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.convert.ClusterStateBuilder;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.logging.Logging;
import io.switchyard.agent.source.ManifestLoader;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code switchyard dump-rules}: prints, as one iptables-restore document, what Switchyard would
 * program on this node for a cluster state read from manifests.
 */
@Command(name = "dump-rules", mixinStandardHelpOptions = true,
        description = "Print the iptables ruleset Switchyard would install, as one iptables-restore document.")
public final class DumpRulesCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, paramLabel = "PATH",
            description = "A manifest file or a directory of them (Services, EndpointSlices, the Node).")
    Path from;

    @Option(names = "--ip-family", paramLabel = "FAMILY", defaultValue = "IPv4",
            description = "Which family's proxier to render: IPv4 (default) or IPv6.")
    String ipFamily;

    @Option(names = {"-v", "--v"}, paramLabel = "LEVEL", defaultValue = "0", description = "Log verbosity.")
    int verbosity;

    @Mixin
    ProxyFlags flags;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Logging.configure(verbosity);
        IpFamily family;
        try {
            family = IpFamily.fromApiName(ipFamily);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--ip-family: " + e.getMessage());
        }
        ProxySettings settings = flags.resolve();

        ManifestLoader.Result loaded = ManifestLoader.load(from);
        List<Problem> problems = new ArrayList<>(loaded.problems());
        ClusterStateBuilder.Result built = new ClusterStateBuilder(family, settings.hostname(), settings.serviceProxyName())
                .build(loaded.objects());
        problems.addAll(built.problems());

        IptablesRenderer renderer = new IptablesRenderer(settings.iptablesConfig(family, built.node()));
        Ruleset ruleset = renderer.render(built.state(), built.node());
        PrintWriter out = spec.commandLine().getOut();
        out.print(RestoreDocument.forEmptyNamespace(ruleset));
        out.flush();

        for (Problem problem : problems) {
            spec.commandLine().getErr().println("switchyard: " + problem);
        }
        return problems.isEmpty() ? 0 : Switchyard.EXIT_INVALID_INPUT;
    }
}
