package io.switchyard.agent.cli;

import io.switchyard.agent.exec.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.switchyard.agent.cli.ProxyFlagsTest.resource;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code switchyard dump-rules} (and {@code run --cleanup}), run in-process: output, problems on stderr and exit codes. */
class DumpRulesCommandTest {

    private static final Path EXAMPLES = Path.of("..", "examples");

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** Runs through a picocli CommandLine with captured writers (no config-error handler). */
    private static Run dumpRules(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("dump-rules"));
        all.addAll(List.of(args));
        int exit = Switchyard.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs {@link Switchyard#execute}, the path main takes, capturing System.out and System.err. */
    private static Run execute(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Switchyard.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rendersTheExamplesAsOneRestoreDocument() {
        Run run = dumpRules("--from", EXAMPLES.toString(), "--hostname-override", "node-a",
                "--cluster-cidr", "10.244.0.0/16");

        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        assertThat(run.err()).isBlank();
        assertThat(run.out()).contains("*nat", "*filter", ":KUBE-SERVICES - [0:0]", "COMMIT")
                .contains("\"demo/web:http cluster IP\"")
                .contains("--to-destination 10.244.1.11:8080")
                .doesNotContain("demo/db", "demo/docs");
        assertThat(run.out().strip()).endsWith("COMMIT");
    }

    @Test
    void theExamplesExitZeroThroughExecuteToo() {
        Run run = execute("dump-rules", "--from", EXAMPLES.toString(), "--hostname-override", "node-a");

        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("*nat", "KUBE-SERVICES", "COMMIT");
    }

    @Test
    void aBadServiceIsReportedOnceWhileTheGoodOneIsStillRendered() {
        Run run = dumpRules("--from", resource("bad-and-good.yaml").toString(), "--hostname-override", "node-a");

        assertThat(run.exit()).isEqualTo(Switchyard.EXIT_INVALID_INPUT);
        assertThat(run.errLines()).singleElement().satisfies(line -> {
            assertThat(line).contains("Service demo/bad").contains("70000");
        });
        assertThat(run.out()).contains("\"demo/good:http cluster IP\"")
                .contains("--to-destination 10.244.1.41:8080")
                .doesNotContain("demo/bad")
                .contains("COMMIT");
    }

    @Test
    void anInvalidYamlFileExitsTwoNamingTheFile() {
        Path broken = resource("broken.yaml");

        Run run = dumpRules("--from", broken.toString(), "--hostname-override", "node-a");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().satisfies(line -> assertThat(line).contains(broken.toString()));
    }

    @Test
    void aMissingInputExitsTwoAndPrintsNoDocument(@TempDir Path dir) {
        Run run = dumpRules("--from", dir.resolve("nope").toString(), "--hostname-override", "node-a");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().satisfies(line ->
                assertThat(line).contains("nope").contains("no such file"));
        assertThat(run.out()).as("an empty-cluster document would wipe the rules if piped to iptables-restore").isEmpty();
    }

    /** Runs dump-rules with its kernel reads going through {@code processes}. */
    private static Run dumpRulesWith(ProcessRunner processes, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new DumpRulesCommand(processes)).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** A host without the named programs: running them fails as HostProcessRunner reports it. */
    private static ProcessRunner without(String... missing) {
        return (argv, stdin) -> List.of(missing).contains(argv.getFirst())
                ? new ProcessRunner.Result(127, "", "cannot run " + argv.getFirst() + ": No such file or directory")
                : new ProcessRunner.Result(0, "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", "");
    }

    private static void assertOneLineNoStackTrace(Run run, String... words) {
        assertThat(run.errLines()).singleElement().satisfies(line -> assertThat(line).startsWith("switchyard: ").contains(words));
        assertThat(run.err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void liveWithoutIptablesSaveSaysSoInOneLineAndExitsTwo() {
        Run run = dumpRulesWith(without("iptables-save"), "--live");

        assertThat(run.exit()).isEqualTo(2);
        assertOneLineNoStackTrace(run, "iptables-save is not installed");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void diffWithoutIptablesSaveOrIpExitsTwoNotOneWhichMeansTheyDiffer() {
        for (String tool : List.of("iptables-save", "ip")) {
            Run run = dumpRulesWith(without(tool), "--diff", "--from", EXAMPLES.toString(), "--hostname-override", "node-a");

            assertThat(run.exit()).as(tool).isEqualTo(2);
            assertOneLineNoStackTrace(run, tool + " is not installed");
            assertThat(run.out()).as(tool).isEmpty();
        }
    }

    @Test
    void cleanupWithoutIptablesSaysSoAndExitsNonZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new RunCommand(without("iptables", "ip6tables"))).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err)).execute("--cleanup");
        Run run = new Run(exit, out.toString(), err.toString());

        assertThat(run.exit()).isNotZero();
        assertOneLineNoStackTrace(run, "cannot clean up", "iptables is not installed");
    }

    @Test
    void anUnknownFlagExitsTwo() {
        Run run = dumpRules("--from", EXAMPLES.toString(), "--no-such-flag");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--no-such-flag");
        assertThat(execute("dump-rules", "--from", EXAMPLES.toString(), "--no-such-flag").exit()).isEqualTo(2);
    }

    @Test
    void aMissingCommandExitsTwo() {
        Run run = execute();

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("missing command");
    }

    @Test
    void anUnknownIpFamilyExitsTwoWithAClearMessage() {
        Run run = execute("dump-rules", "--from", EXAMPLES.toString(), "--hostname-override", "node-a",
                "--ip-family", "IPv7");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).singleElement()
                .satisfies(line -> assertThat(line).contains("--ip-family").contains("IPv7"));
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aConfigFileWithAnUnknownFieldIsWarnedAboutOnceAndStillUsed() {
        Run run = execute("dump-rules", "--from", EXAMPLES.toString(), "--hostname-override", "node-a",
                "--config", resource("unknown-field-config.yaml").toString());

        assertThat(run.exit()).isZero();
        assertThat(run.errLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("W").contains("unknown field \"proxyFlavour\""));
        assertThat(run.out()).contains("*nat");
    }

    @Test
    void proxyModeNftablesIsNotSupported() {
        Run run = execute("dump-rules", "--from", EXAMPLES.toString(), "--hostname-override", "node-a",
                "--proxy-mode", "nftables");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().satisfies(line -> assertThat(line)
                .isEqualTo("switchyard: --proxy-mode: proxy mode \"nftables\" is not supported by Switchyard (use iptables or ipvs)"));
    }

    @Test
    void theIpv6FamilyRendersADualStackServicesIpv6Rules() {
        Run run = dumpRules("--from", resource("dual-stack.yaml").toString(), "--hostname-override", "node-a",
                "--ip-family", "IPv6");

        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("\"demo/dual:http cluster IP\"")
                .contains("-d fd00::50")
                .contains("--to-destination [fd00:10:244:1::51]:8080")
                .contains("--to-destination [fd00:10:244:2::52]:8080")
                .doesNotContain("10.96.0.50", "10.244.1.51");
    }

    @Test
    void theIpv4FamilyRendersTheSameServicesIpv4Rules() {
        Run run = dumpRules("--from", resource("dual-stack.yaml").toString(), "--hostname-override", "node-a");

        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("-d 10.96.0.50")
                .contains("--to-destination 10.244.1.51:8080")
                .doesNotContain("fd00::50", "fd00:10:244");
    }

    @Test
    void aServiceProxyNameSelectsOnlyItsServices(@TempDir Path dir) throws IOException {
        String labelled = Files.readString(resource("bad-and-good.yaml"))
                .replace("  name: good\n  namespace: demo\n",
                        "  name: good\n  namespace: demo\n  labels:\n    service.kubernetes.io/service-proxy-name: mine\n");
        Path file = Files.writeString(dir.resolve("labelled.yaml"), labelled);

        Run defaultProxy = dumpRules("--from", file.toString(), "--hostname-override", "node-a");
        Run mine = dumpRules("--from", file.toString(), "--hostname-override", "node-a", "--service-proxy-name", "mine");

        assertThat(defaultProxy.out()).doesNotContain("demo/good");
        assertThat(mine.out()).contains("\"demo/good:http has no endpoints\"");
        assertThat(mine.exit()).isZero();
    }
}
