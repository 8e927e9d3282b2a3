package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.iptables.NodePortAddresses;
import io.switchyard.rules.iptables.RestoreDocument;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServiceEndpoints;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: whatever string a Service, EndpointSlice or Node carries, converting and rendering a
 * batch that holds it yields a document iptables-restore (ip6tables-restore) accepts in a fresh
 * network namespace, in which every valid object of the batch is still programmed, while each
 * object the API server would reject is reported on exactly one line that names it.
 *
 * <p>Seeded: {@code -Dswitchyard.hostile.seed=N} replays another sequence,
 * {@code -Dswitchyard.hostile.rounds=N} runs more batches.
 */
class HostileInputRestoreTest {

    private static final long SEED = Long.getLong("switchyard.hostile.seed", 20_251_128L);
    private static final int ROUNDS = Integer.getInteger("switchyard.hostile.rounds", 12);
    private static final int CASES_PER_ROUND = 40;
    /** Every line a restore document may hold: table, chain declaration, rule, commit. */
    private static final Pattern DOCUMENT_LINE =
            Pattern.compile("\\*(mangle|filter|nat)|COMMIT|:[A-Z0-9-]+ - \\[0:0]|-A [A-Z0-9-]+ [ -~]+");

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
    }

    @Test
    void hostileValuesNeverReachTheDocumentAndValidObjectsStillRender() {
        Random random = new Random(SEED);
        List<String> findings = new ArrayList<>();
        int[] checked = new int[2]; // [valid cases found in a document, invalid cases reported]
        int documents = 0;
        try (NetworkNamespace namespace = new NetworkNamespace()) {
            namespace.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            for (int round = 0; round < ROUNDS; round++) {
                HostileBatch batch = HostileBatch.generate(random, round, CASES_PER_ROUND);
                for (IpFamily family : IpFamily.values()) {
                    check("round " + round + " " + family, batch, family, namespace, findings, checked);
                    documents++;
                }
            }
        }
        assertThat(findings).as("findings (seed %d)", SEED).isEmpty();
        // The property held over real work, not over batches that happened to test nothing.
        assertThat(documents).isEqualTo(2 * ROUNDS);
        assertThat(checked[0]).as("valid cases seen in documents").isGreaterThan(ROUNDS * CASES_PER_ROUND / 2);
        assertThat(checked[1]).as("invalid cases reported").isGreaterThan(ROUNDS * CASES_PER_ROUND / 2);
    }

    private static void check(String where, HostileBatch batch, IpFamily family, NetworkNamespace namespace,
                              List<String> findings, int[] checked) {
        List<Problem> problems = new ArrayList<>();
        ServiceConverter services = new ServiceConverter(family);
        EndpointSliceConverter slices = new EndpointSliceConverter(family);
        TreeMap<ServicePortName, ServicePort> ports = new TreeMap<>();
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (HostileBatch.Case c : batch.cases()) {
            try {
                for (ServicePort port : services.convert(c.service(), problems)) {
                    ports.put(port.name(), port);
                }
            } catch (RuntimeException e) {
                findings.add(where + ": converting Service of " + describe(c) + " threw " + e);
            }
            for (V1EndpointSlice slice : List.of(c.slice4(), c.slice6())) {
                try {
                    slices.convert(slice, problems).ifPresent(s -> slicesByService
                            .computeIfAbsent(s.namespace() + "/" + s.serviceName(), k -> new ArrayList<>()).add(s));
                } catch (RuntimeException e) {
                    findings.add(where + ": converting EndpointSlice of " + describe(c) + " threw " + e);
                }
            }
        }
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        LocalNode node;
        String document;
        try {
            slicesByService.forEach((key, list) -> endpoints.putAll(
                    ServiceEndpoints.merge(list.getFirst().namespace(), list.getFirst().serviceName(), list)));
            node = NodeConverter.convert(batch.node(), problems);
            IptablesRenderer renderer = new IptablesRenderer(config(family, node));
            document = RestoreDocument.forEmptyNamespace(renderer.render(ClusterState.of(ports, endpoints), node));
        } catch (RuntimeException e) {
            findings.add(where + ": merging or rendering threw " + e + " (node mutation " + batch.nodeMutation() + ")");
            return;
        }

        checkLines(where, document, findings);
        checked[1] += checkProblems(where, batch, problems, findings);
        for (HostileBatch.Case c : batch.cases()) {
            boolean untouched = c.mutation() == null || !c.mutation().reported();
            String clusterIpRule = "-m comment --comment \"" + c.namespace() + "/" + c.name() + ":http cluster IP\"";
            if (untouched && !document.contains(clusterIpRule)) {
                findings.add(where + ": valid " + describe(c) + " is missing from the document");
            } else if (untouched) {
                checked[0]++;
            }
        }
        String tool = family == IpFamily.IPV4 ? "iptables-restore" : "ip6tables-restore";
        NetworkNamespace.Result restored = namespace.exec(document, tool);
        if (restored.exitCode() != 0) {
            findings.add(where + ": " + tool + " rejected the document: " + restored.stderr().strip().lines()
                    .findFirst().orElse("") + " " + culprit(batch, restored.stderr()));
        }
    }

    private static void checkLines(String where, String document, List<String> findings) {
        document.lines().filter(line -> !DOCUMENT_LINE.matcher(line).matches()).limit(3)
                .forEach(line -> findings.add(where + ": a line no renderer writes: " + printable(line)));
        if (!document.endsWith("COMMIT\n")) {
            findings.add(where + ": the document does not end with COMMIT");
        }
    }

    /** Checks every problem is one clean line, and each invalid case has exactly one; returns how many did. */
    private static int checkProblems(String where, HostileBatch batch, List<Problem> problems, List<String> findings) {
        int reportedOnce = 0;
        for (Problem problem : problems) {
            String line = problem.toString();
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0 || line.length() > 600) {
                findings.add(where + ": a problem is not one short line: " + printable(line));
            }
            if (line.contains("Exception") || line.contains("java.")) {
                findings.add(where + ": a problem shows Java internals: " + printable(line));
            }
        }
        for (HostileBatch.Case c : batch.cases()) {
            long naming = problems.stream().filter(p -> p.toString().contains(c.id())).count();
            boolean reported = c.mutation() != null && c.mutation().reported();
            if (reported && naming != 1) {
                findings.add(where + ": " + describe(c) + " gave " + naming + " problems, want exactly one");
            } else if (reported) {
                reportedOnce++;
            } else if (!reported && naming != 0) {
                findings.add(where + ": " + describe(c) + " gave a problem: " + printable(problems.stream()
                        .filter(p -> p.toString().contains(c.id())).findFirst().orElseThrow().toString()));
            }
        }
        long nodeProblems = problems.stream().filter(p -> p.object().startsWith("Node")).count();
        boolean nodeReported = batch.nodeMutation() != null && batch.nodeMutation().reported();
        if (nodeProblems != (nodeReported ? 1 : 0)) {
            findings.add(where + ": node mutation " + describe(batch.nodeMutation()) + " gave " + nodeProblems
                    + " problems");
        }
        return reportedOnce;
    }

    /** kube-proxy's defaults, with node ports on the node's 10/8 and fd00::/8 addresses, pods by NodeCIDR. */
    private static IptablesConfig config(IpFamily family, LocalNode node) {
        LocalTrafficDetector detector = new LocalTrafficDetector.None();
        for (String text : node.podCidrs()) {
            try {
                Cidr cidr = Cidr.parse(text);
                if (cidr.family() == family) {
                    detector = new LocalTrafficDetector.ByCidr(cidr.toString());
                    break;
                }
            } catch (IllegalArgumentException e) {
                // as ProxySettings does: an unparsable pod CIDR gives no detection
            }
        }
        NodePortAddresses nodePorts = NodePortAddresses.of(family,
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"), Cidr.parse("127.0.0.0/8")));
        return new IptablesConfig(family, 14, false, detector, true, nodePorts, false, true, true, true);
    }

    /** The mutated case whose value appears in the line iptables-restore complained about, if any. */
    private static String culprit(HostileBatch batch, String stderr) {
        for (HostileBatch.Case c : batch.cases()) {
            if (c.mutation() != null && stderr.contains(c.id())) {
                return "(" + describe(c) + ")";
            }
        }
        return "";
    }

    private static String describe(HostileBatch.Case c) {
        return "case " + c.id() + (c.mutation() == null ? "" : " " + describe(c.mutation()));
    }

    private static String describe(HostileBatch.Mutation m) {
        return m == null ? "none" : m.field() + "=" + printable(m.value());
    }

    /** A value as Java source would spell it, cut short: findings must stay readable. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().limit(80).forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') {
                out.appendCodePoint(cp);
            } else {
                out.append(String.format("\\u%04x", cp));
            }
        });
        return out.append(value.length() > 80 ? "\"..." : "\"").toString();
    }
}
