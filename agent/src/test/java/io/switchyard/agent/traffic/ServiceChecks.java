package io.switchyard.agent.traffic;

import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Assertions shared by the end-to-end tests, whether the node is a network namespace of a
 * {@link TrafficLab} or a k3s node: a Service is programmed (its cluster-IP rule in the nat
 * table's KUBE-SERVICES, leading to one KUBE-SEP per endpoint), and traffic to it reached every
 * backend without a failure.
 */
public final class ServiceChecks {

    private ServiceChecks() {
    }

    /**
     * The nat table in {@code iptablesSave} sends {@code clusterIp:port} of the service port
     * {@code servicePortName} ({@code ns/name:port}) to a KUBE-SVC chain with {@code endpoints} endpoints.
     */
    public static void assertProgrammed(String iptablesSave, String servicePortName, String clusterIp, int port,
                                        int endpoints) {
        List<String> nat = natRules(iptablesSave);
        Pattern service = Pattern.compile("-A KUBE-SERVICES -d " + Pattern.quote(clusterIp) + "/(32|128) .*"
                + Pattern.quote("--comment \"" + servicePortName + " cluster IP\"") + ".* --dport " + port
                + " -j (KUBE-SVC-[A-Z0-9]{16})");
        String chain = nat.stream().map(service::matcher).filter(Matcher::matches).map(m -> m.group(2))
                .findFirst().orElse(null);
        assertThat(chain).as("a KUBE-SERVICES rule for %s (%s:%d) in%n%s", servicePortName, clusterIp, port,
                String.join("\n", nat)).isNotNull();
        long seps = nat.stream().filter(r -> r.startsWith("-A " + chain + " ") && r.matches(".* -j KUBE-SEP-[A-Z0-9]{16}$"))
                .count();
        assertThat(seps).as("endpoints of %s (%s)", servicePortName, chain).isEqualTo(endpoints);
    }

    /** Every request was answered, and each of {@code backends} answered at least one. */
    public static void assertReachedEveryBackend(TrafficResult result, Collection<String> backends) {
        assertThat(result.failures()).as("failed requests (first: %s)", result.firstError()).isZero();
        assertThat(result.answers().keySet()).as("backends that answered").containsExactlyInAnyOrderElementsOf(backends);
    }

    private static List<String> natRules(String iptablesSave) {
        boolean inNat = false;
        List<String> rules = new java.util.ArrayList<>();
        for (String line : iptablesSave.split("\n")) {
            if (line.startsWith("*")) {
                inNat = line.equals("*nat");
            } else if (inNat && line.startsWith("-A ")) {
                rules.add(line.strip());
            }
        }
        return rules;
    }
}
