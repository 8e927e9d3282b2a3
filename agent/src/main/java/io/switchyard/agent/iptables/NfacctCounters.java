package io.switchyard.agent.iptables;

import io.switchyard.agent.exec.ProcessRunner;

import java.util.List;

/**
 * Creates the nfacct accounting objects kube-proxy's rules count packets with. Rules that name
 * a missing object would not load, so the ruleset leaves out the match of any it could not create.
 */
public final class NfacctCounters {

    private static final System.Logger LOG = System.getLogger(NfacctCounters.class.getName());

    private final ProcessRunner runner;

    public NfacctCounters(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Makes sure the counter exists; false when it could not be created. Shared by both families. */
    public synchronized boolean ensure(String name) {
        ProcessRunner.Result list = runner.run(List.of("nfacct", "get", name), null);
        if (list.ok()) {
            return true;
        }
        ProcessRunner.Result add = runner.run(List.of("nfacct", "add", name), null);
        if (add.ok() || add.stderr().contains("exists")) {
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "Failed to create nfacct counter {0}; rules will not count with it: {1}",
                name, add.stderr().strip());
        return false;
    }
}
