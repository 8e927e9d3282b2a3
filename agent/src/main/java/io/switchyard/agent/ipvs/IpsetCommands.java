package io.switchyard.agent.ipvs;

import io.switchyard.agent.exec.ProcessRunner;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ipset program, as the ipvs proxier drives it: {@code ipset save} to read every set,
 * {@code ipset restore} to apply a whole sync's changes at once, and the few commands cleanup
 * needs. The runner decides the network namespace.
 */
public final class IpsetCommands {

    /** An ipset command that failed: what was asked and what ipset said, on one line. */
    public static final class IpsetException extends Exception {
        private static final long serialVersionUID = 1L;

        IpsetException(String message) {
            super(message);
        }
    }

    private final ProcessRunner runner;

    public IpsetCommands(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Every set with its members ({@code ipset save}). */
    public String save() throws IpsetException {
        return require(runner.run(List.of("ipset", "save"), null), "ipset save").stdout();
    }

    /** Applies a restore script; an empty one is not run. */
    public void restore(String script) throws IpsetException {
        if (!script.isEmpty()) {
            require(runner.run(List.of("ipset", "restore"), script), "ipset restore");
        }
    }

    /** The names of every set ({@code ipset list -n}). */
    public Set<String> names() throws IpsetException {
        Set<String> names = new LinkedHashSet<>();
        require(runner.run(List.of("ipset", "list", "-n"), null), "ipset list -n").stdout().lines()
                .map(String::strip).filter(l -> !l.isEmpty()).forEach(names::add);
        return names;
    }

    private static ProcessRunner.Result require(ProcessRunner.Result result, String what) throws IpsetException {
        if (!result.ok()) {
            String stderr = result.stderr().strip().replace('\n', ' ');
            throw new IpsetException(what + " failed (exit " + result.exitCode() + ")"
                    + (stderr.isEmpty() ? "" : ": " + stderr));
        }
        return result;
    }
}
