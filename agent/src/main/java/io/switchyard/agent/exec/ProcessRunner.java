package io.switchyard.agent.exec;

import java.util.List;
import java.util.function.Consumer;

/** Runs external programs (iptables, nfacct, conntrack) with argv lists, never through a shell. */
public interface ProcessRunner {

    /** What a program printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code argv}, feeding it {@code stdin} when not null, and waits for it. */
    Result run(List<String> argv, String stdin);

    /**
     * Runs {@code argv} and hands its standard output to {@code lines} one line at a time, for
     * output too large to keep (iptables-save of a large cluster); the result's stdout is empty.
     */
    default Result runLines(List<String> argv, Consumer<String> lines) {
        Result result = run(argv, null);
        result.stdout().lines().forEach(lines);
        return new Result(result.exitCode(), "", result.stderr());
    }
}
