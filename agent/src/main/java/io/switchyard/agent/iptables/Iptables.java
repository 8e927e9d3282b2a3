package io.switchyard.agent.iptables;

import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.rules.iptables.KubeChains.Jump;
import io.switchyard.rules.iptables.KubeChains.Table;
import io.switchyard.rules.model.IpFamily;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The iptables programs of one family, driven through argv lists. */
public final class Iptables {

    /** A restore that iptables-restore refused, with the line it complained about (0 if unknown). */
    public static final class RestoreException extends Exception {
        private final int line;

        RestoreException(String message, int line) {
            super(message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /**
     * An iptables program is missing or could not do what was asked (not a refused restore);
     * the message is one line naming the program.
     */
    public static final class ToolException extends Exception {
        public ToolException(String message) {
            super(message);
        }
    }

    /**
     * Where iptables-restore says it stopped. nf_tables builds say "Error occurred at line: N"
     * for what they refuse themselves and "line N: RULE_APPEND failed (...)" for what the
     * kernel refuses; legacy builds say "line N failed".
     */
    private static final Pattern FAILED_LINE = Pattern.compile(
            "(?:Error occurred at line: (\\d+))|(?:line (\\d+) failed)|(?:line (\\d+): )");
    private static final String WAIT_SECONDS = "5";

    private final ProcessRunner runner;
    private final String iptables;
    private final String restore;
    private final String save;

    public Iptables(IpFamily family, ProcessRunner runner) {
        this.runner = runner;
        String base = family == IpFamily.IPV4 ? "iptables" : "ip6tables";
        this.iptables = base;
        this.restore = base + "-restore";
        this.save = base + "-save";
    }

    /** Applies a document with {@code --noflush --counters}: only the chains it names change. */
    public void restore(String document) throws RestoreException {
        ProcessRunner.Result result = runner.run(List.of(restore, "-w", WAIT_SECONDS, "--noflush", "--counters"), document);
        if (!result.ok()) {
            int line = failedLine(result.stderr());
            throw new RestoreException(restore + " exit " + result.exitCode() + ": " + result.stderr().strip(), line);
        }
    }

    /** The line number iptables-restore's error output names, or 0. */
    static int failedLine(String stderr) {
        Matcher m = FAILED_LINE.matcher(stderr);
        if (!m.find()) {
            return 0;
        }
        for (int group = 1; group <= m.groupCount(); group++) {
            if (m.group(group) != null) {
                return Integer.parseInt(m.group(group));
            }
        }
        return 0;
    }

    /** The process runner the tools go through (which may point into a network namespace). */
    ProcessRunner processes() {
        return runner;
    }

    /** Fails unless iptables, iptables-save and iptables-restore of this family can be run. */
    public void requireTools() throws ToolException {
        for (String tool : List.of(iptables, save, restore)) {
            ProcessRunner.Result result = runner.run(List.of(tool, "--version"), null);
            if (!result.ok()) {
                throw new ToolException(describe(tool, result));
            }
        }
    }

    /** Whether iptables is the nf_tables variant (its version line says so), not legacy. */
    public boolean writesThroughNfTables() {
        ProcessRunner.Result result = runner.run(List.of(iptables, "--version"), null);
        return result.ok() && result.stdout().contains("nf_tables");
    }

    /** One line saying why a tool failed: not installed, or the first line it printed. */
    static String describe(String tool, ProcessRunner.Result result) {
        if (result.exitCode() == 127) {
            return tool.split(" ")[0] + " is not installed (or not on PATH)";
        }
        String first = result.stderr().strip().lines().findFirst().orElse("");
        return tool + " failed (exit " + result.exitCode() + ")" + (first.isEmpty() ? "" : ": " + first);
    }

    /** Whether a chain exists. */
    public boolean chainExists(Table table, String chain) {
        return run(table, "-S", chain).ok();
    }

    /**
     * The rules of a chain that always exists (a builtin chain) as {@code -S} prints them
     * ({@code -A CHAIN ...}); a failure to list it is the tool's.
     */
    public List<String> rules(Table table, String chain) throws ToolException {
        ProcessRunner.Result result = run(table, "-S", chain);
        if (!result.ok()) {
            throw new ToolException(describe(iptables + " -t " + table.iptablesName() + " -S " + chain, result));
        }
        return result.stdout().lines().filter(l -> l.startsWith("-A ")).toList();
    }

    /**
     * The rules of one of our chains, or empty when it cannot be listed (missing, or the tool
     * failed): either way, whoever asks must rewrite it.
     */
    public Optional<List<String>> rulesIfListed(Table table, String chain) {
        ProcessRunner.Result result = run(table, "-S", chain);
        if (!result.ok()) {
            return Optional.empty();
        }
        return Optional.of(result.stdout().lines().filter(l -> l.startsWith("-A ")).toList());
    }

    /** Deletes a jump if present; true when it is gone. */
    public boolean deleteJump(Jump jump) {
        List<String> spec = jumpArgs(jump);
        while (run(jump.table(), concat(List.of("-C", jump.builtin()), spec)).ok()) {
            if (!run(jump.table(), concat(List.of("-D", jump.builtin()), spec)).ok()) {
                return false;
            }
        }
        return true;
    }

    /** Flushes and deletes a chain if it exists. */
    public boolean deleteChain(Table table, String chain) {
        if (!chainExists(table, chain)) {
            return true;
        }
        run(table, "-F", chain);
        return run(table, "-X", chain).ok();
    }

    /** The chains of one table, as iptables-save lists them; a failed listing is never taken for an empty one. */
    public Set<String> chains(Table table) throws ToolException {
        ProcessRunner.Result result = runner.run(List.of(save, "-t", table.iptablesName()), null);
        if (!result.ok()) {
            throw new ToolException(describe(save + " -t " + table.iptablesName(), result));
        }
        Set<String> chains = new LinkedHashSet<>();
        for (String line : result.stdout().split("\n")) {
            if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                chains.add(line.substring(1, space < 0 ? line.length() : space));
            }
        }
        return chains;
    }

    /** Hands everything iptables-save prints for this family to {@code lines}, one line at a time. */
    public void saveAll(Consumer<String> lines) throws ToolException {
        ProcessRunner.Result result = runner.runLines(List.of(save), lines);
        if (!result.ok()) {
            throw new ToolException(describe(save, result));
        }
    }

    /** Everything iptables-save prints for this family. */
    public String saveAll() throws ToolException {
        ProcessRunner.Result result = runner.run(List.of(save), null);
        if (!result.ok()) {
            throw new ToolException(describe(save, result));
        }
        return result.stdout();
    }

    private ProcessRunner.Result run(Table table, String... args) {
        return run(table, List.of(args));
    }

    private ProcessRunner.Result run(Table table, List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 5);
        argv.add(iptables);
        argv.add("-w");
        argv.add(WAIT_SECONDS);
        argv.add("-t");
        argv.add(table.iptablesName());
        argv.addAll(args);
        return runner.run(argv, null);
    }

    private static List<String> jumpArgs(Jump jump) {
        List<String> args = new ArrayList<>();
        if (!jump.matches().isEmpty()) {
            args.addAll(List.of(jump.matches().split(" ")));
        }
        if (!jump.comment().isEmpty()) {
            args.addAll(List.of("-m", "comment", "--comment", jump.comment()));
        }
        args.add("-j");
        args.add(jump.target());
        return args;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
