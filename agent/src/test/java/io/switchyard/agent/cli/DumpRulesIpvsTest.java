package io.switchyard.agent.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dump-rules --proxy-mode ipvs}, in-process: three marked sections, each in its tool's
 * form. (Node-port virtual servers follow this namespace's addresses, so only the ones that do
 * not depend on them are checked here; IpvsDumpTest checks them in a namespace of known shape.)
 */
class DumpRulesIpvsTest {

    private static String run(List<String> args, StringWriter err, int[] exit) {
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("dump-rules", "--proxy-mode", "ipvs"));
        all.addAll(args);
        exit[0] = Switchyard.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return out.toString();
    }

    @Test
    void printsVirtualServersIpsetsAndRulesInMarkedSections() throws URISyntaxException {
        Path scenario = Path.of(getClass().getResource("/golden/kube-proxy-v1.32-ipvs/16-session-affinity.yaml").toURI());
        StringWriter err = new StringWriter();
        int[] exit = new int[1];

        String out = run(List.of("--from", scenario.toString(), "--hostname-override", "node-a",
                "--cluster-cidr", "10.244.0.0/16"), err, exit);

        assertThat(exit[0]).as("stderr: %s", err).isZero();
        List<String> lines = out.lines().toList();
        int servers = lines.indexOf("# IPVS virtual servers (ipvsadm -Sn)");
        int ipsets = lines.indexOf("# ipsets (ipset save)");
        int rules = lines.indexOf("# iptables rules (iptables-restore)");
        assertThat(servers).isZero();
        assertThat(ipsets).isGreaterThan(servers);
        assertThat(rules).isGreaterThan(ipsets);
        assertThat(lines.subList(servers, ipsets)).contains("-A -t 10.96.16.1:80 -s rr -p 600",
                "-a -t 10.96.16.1:80 -r 10.244.1.160:8080 -m -w 1", "-A -t 10.96.16.3:80 -s rr -p 1");
        assertThat(lines.subList(ipsets, rules)).contains("create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536",
                "add KUBE-CLUSTER-IP 10.96.16.1,tcp:80", "create KUBE-NODE-PORT-TCP bitmap:port range 0-65535");
        assertThat(lines.subList(rules, lines.size())).contains("*nat", "*filter",
                "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT").endsWith("COMMIT");
    }

    @Test
    void theIpv6ProxierUsesItsOwnSets() throws URISyntaxException {
        Path scenario = Path.of(getClass().getResource("/golden/kube-proxy-v1.32-ipvs/03-clusterip-3-endpoints.yaml").toURI());
        StringWriter err = new StringWriter();
        int[] exit = new int[1];

        String out = run(List.of("--from", scenario.toString(), "--hostname-override", "node-a", "--ip-family", "IPv6"),
                err, exit);

        assertThat(exit[0]).as("stderr: %s", err).isZero();
        assertThat(out).contains("create KUBE-6-CLUSTER-IP hash:ip,port family inet6", "-A KUBE-SERVICES -s ::1/128 -j RETURN")
                .doesNotContain("KUBE-CLUSTER-IP ");
    }
}
