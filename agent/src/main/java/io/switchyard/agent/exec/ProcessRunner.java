package io.switchyard.agent.exec;

import java.util.List;

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
}
