package io.switchyard.agent.iptables;

import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Reads what is installed in this network namespace and compares it with a desired document.
 * The desired side is put through the same kernel spelling by loading it into a scratch network
 * namespace, so the comparison never trips on how iptables-save re-renders a rule.
 */
public final class LiveRules {

    private final IpFamily family;
    private final ProcessRunner runner;
    private final ProcessRunner host;

    /**
     * @param runner reaches the network namespace whose rules are read
     * @param host   runs {@code ip netns} for the scratch namespace (unprefixed)
     */
    public LiveRules(IpFamily family, ProcessRunner runner, ProcessRunner host) {
        this.family = family;
        this.runner = runner;
        this.host = host;
    }

    /** The installed rules we own, as a restore document (other components' chains left out). */
    public String ownRules() throws Iptables.ToolException {
        String save = new Iptables(family, runner).saveAll();
        StringBuilder out = new StringBuilder();
        for (String line : save.split("\n")) {
            boolean keep = line.startsWith("*") || line.equals("COMMIT")
                    || line.startsWith(":KUBE-")
                    || (line.startsWith("-A ") && (line.startsWith("-A KUBE-") || line.contains(" -j KUBE-")));
            if (keep) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** Lines only in the desired state ({@code +}) and only in the live one ({@code -}); empty when equal. */
    public List<String> diff(String desiredDocument) throws Iptables.ToolException {
        String live = SavedRules.normaliseOwn(new Iptables(family, runner).saveAll());
        String desired = SavedRules.normaliseOwn(canonical(desiredDocument));
        Set<String> liveLines = new TreeSet<>(List.of(live.split("\n")));
        Set<String> desiredLines = new TreeSet<>(List.of(desired.split("\n")));
        List<String> out = new ArrayList<>();
        if (live.equals(desired)) {
            return out;
        }
        desiredLines.stream().filter(l -> !liveLines.contains(l)).forEach(l -> out.add("+ " + l));
        liveLines.stream().filter(l -> !desiredLines.contains(l)).forEach(l -> out.add("- " + l));
        if (out.isEmpty()) {
            out.add("~ same rules, different order within a chain");
        }
        return out;
    }

    private String canonical(String document) throws Iptables.ToolException {
        String scratch = "switchyard-diff-" + UUID.randomUUID().toString().substring(0, 8);
        String tool = family == IpFamily.IPV4 ? "iptables" : "ip6tables";
        require(host.run(List.of("ip", "netns", "add", scratch), null), "ip netns add");
        try {
            for (String counter : List.of(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER)) {
                host.run(List.of("ip", "netns", "exec", scratch, "nfacct", "add", counter), null);
            }
            require(host.run(List.of("ip", "netns", "exec", scratch, tool + "-restore"), document), tool + "-restore");
            return require(host.run(List.of("ip", "netns", "exec", scratch, tool + "-save"), null), tool + "-save").stdout();
        } finally {
            host.run(List.of("ip", "netns", "del", scratch), null);
        }
    }

    private static ProcessRunner.Result require(ProcessRunner.Result result, String what) throws Iptables.ToolException {
        if (!result.ok()) {
            throw new Iptables.ToolException(Iptables.describe(what, result));
        }
        return result;
    }
}
