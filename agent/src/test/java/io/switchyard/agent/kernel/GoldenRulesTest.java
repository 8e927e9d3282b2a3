package io.switchyard.agent.kernel;

import io.switchyard.agent.iptables.SavedRules;

import io.switchyard.agent.cli.Switchyard;
import io.switchyard.rules.iptables.IptablesConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden comparison against real kube-proxy v1.32: for each recorded cluster state, what
 * {@code dump-rules} prints and what kube-proxy installed are both loaded into fresh network
 * namespaces and read back with iptables-save, and the two kernels must hold the same rules.
 */
class GoldenRulesTest {

    private static final Path GOLDEN = goldenDirectory();

    @BeforeAll
    static void requireRoot() {
        KernelTestSupport.requireRootWithIptables();
    }

    static Stream<Arguments> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml"))
                    .sorted()
                    .flatMap(n -> Stream.of(
                            Arguments.of(n.replace(".yaml", ""), "IPv4"),
                            Arguments.of(n.replace(".yaml", ""), "IPv6")))
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixtures")
    void dumpRulesLoadsIntoTheSameKernelStateAsKubeProxy(String scenario, String family) throws IOException {
        String tool = family.equals("IPv4") ? "iptables" : "ip6tables";
        String expectedSave = Files.readString(GOLDEN.resolve(scenario + "." + tool + "-save"));
        String document = dumpRules(GOLDEN.resolve(scenario + ".yaml"), family);

        String expected = loadAndSave(tool, expectedSave);
        String actual = loadAndSave(tool, document);

        assertThat(SavedRules.normalise(actual)).isEqualTo(SavedRules.normalise(expected));
    }

    /** Restores a document into a fresh namespace and reads the kernel's state back. */
    private static String loadAndSave(String tool, String document) {
        try (NetworkNamespace ns = new NetworkNamespace()) {
            ns.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            ns.exec(document, tool + "-restore").requireSuccess(tool + "-restore");
            return ns.exec(null, tool + "-save").requireSuccess(tool + "-save").stdout();
        }
    }

    private static String dumpRules(Path manifests, String family) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Switchyard.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute("dump-rules", "--from", manifests.toString(), "--hostname-override", "node-a",
                        "--cluster-cidr", "10.244.0.0/16", "--ip-family", family);
        assertThat(exit).as("dump-rules exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    private static Path goldenDirectory() {
        try {
            return Path.of(GoldenRulesTest.class.getResource("/golden/kube-proxy-v1.32").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

}
