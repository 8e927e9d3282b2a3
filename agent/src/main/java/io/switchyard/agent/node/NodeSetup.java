package io.switchyard.agent.node;

import io.switchyard.agent.config.ConntrackSettings;
import io.switchyard.agent.config.ProxySettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.IntSupplier;

/**
 * The node settings kube-proxy applies once at start-up, before the first sync: conntrack's
 * table size and timeouts (only those configured; zero leaves a sysctl alone) and the process's
 * OOM score. Each change is logged once. Unlike kube-proxy, which exits when a conntrack sysctl
 * cannot be written, a setting that cannot be applied is a warning and start-up goes on (a
 * read-only /sys or a non-initial network namespace are common in containers).
 */
public final class NodeSetup {

    /** One setting that was changed. */
    public record Change(String setting, String from, String to) {
    }

    /** What start-up changed, and what it could not. */
    public record Result(List<Change> changes, List<String> warnings) {
        public Result {
            changes = List.copyOf(changes);
            warnings = List.copyOf(warnings);
        }
    }

    public static final String CONNTRACK_MAX = "net.netfilter.nf_conntrack_max";
    public static final String TCP_ESTABLISHED = "net.netfilter.nf_conntrack_tcp_timeout_established";
    public static final String TCP_CLOSE_WAIT = "net.netfilter.nf_conntrack_tcp_timeout_close_wait";
    public static final String TCP_BE_LIBERAL = "net.netfilter.nf_conntrack_tcp_be_liberal";
    public static final String UDP_TIMEOUT = "net.netfilter.nf_conntrack_udp_timeout";
    public static final String UDP_STREAM_TIMEOUT = "net.netfilter.nf_conntrack_udp_timeout_stream";

    private static final System.Logger LOG = System.getLogger(NodeSetup.class.getName());

    private final Sysctls sysctls;
    private final Path hashsize;
    private final Path oomScoreAdj;
    private final IntSupplier cpus;

    /**
     * @param hashsize    conntrack's hash table size ({@code /sys/module/nf_conntrack/parameters/hashsize})
     * @param oomScoreAdj the process's OOM score file ({@code /proc/self/oom_score_adj})
     * @param cpus        how many CPUs the machine has (not the container's CPU limit)
     */
    public NodeSetup(Sysctls sysctls, Path hashsize, Path oomScoreAdj, IntSupplier cpus) {
        this.sysctls = sysctls;
        this.hashsize = hashsize;
        this.oomScoreAdj = oomScoreAdj;
        this.cpus = cpus;
    }

    /** The entry point for {@code switchyard run}: applies the settings to this host and logs what it did. */
    public static Result apply(ProxySettings settings, Sysctls sysctls) {
        return new NodeSetup(sysctls, Path.of("/sys/module/nf_conntrack/parameters/hashsize"),
                Path.of("/proc/self/oom_score_adj"), () -> Cpus.online(Path.of("/sys/devices/system/cpu/online")))
                .apply(settings);
    }

    /**
     * Whether conntrack runs in liberal TCP mode ({@code nf_conntrack_tcp_be_liberal = 1}); when it
     * does, kube-proxy does not install its rule dropping INVALID packets.
     */
    public static boolean tcpBeLiberal(Sysctls sysctls) {
        return sysctls.readLong(TCP_BE_LIBERAL).orElse(0) == 1;
    }

    public Result apply(ProxySettings settings) {
        List<Change> changes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        conntrack(settings.conntrack(), changes, warnings);
        oomScore(settings.oomScoreAdj(), changes, warnings);
        changes.forEach(c -> LOG.log(System.Logger.Level.INFO, "Set sysctl entry={0} value={1} previous={2}",
                c.setting(), c.to(), c.from()));
        warnings.forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
        return new Result(changes, warnings);
    }

    private void conntrack(ConntrackSettings conntrack, List<Change> changes, List<String> warnings) {
        long max = conntrack.maxFor(cpus.getAsInt());
        if (max > 0) {
            set(CONNTRACK_MAX, max, changes, warnings);
            hashsize(max, changes, warnings);
        }
        seconds(TCP_ESTABLISHED, conntrack.tcpEstablishedTimeout(), changes, warnings);
        seconds(TCP_CLOSE_WAIT, conntrack.tcpCloseWaitTimeout(), changes, warnings);
        if (conntrack.tcpBeLiberal()) {
            set(TCP_BE_LIBERAL, 1, changes, warnings);
        }
        seconds(UDP_TIMEOUT, conntrack.udpTimeout(), changes, warnings);
        seconds(UDP_STREAM_TIMEOUT, conntrack.udpStreamTimeout(), changes, warnings);
    }

    /** The hash table should hold at least a quarter of the entries, as kube-proxy sizes it. */
    private void hashsize(long max, List<Change> changes, List<String> warnings) {
        String name = "nf_conntrack hashsize";
        try {
            long current = Long.parseLong(ProcSysctls.readFile(hashsize, name));
            if (current < max / 4) {
                ProcSysctls.writeFile(hashsize, name, Long.toString(max / 4));
                changes.add(new Change(name, Long.toString(current), Long.toString(max / 4)));
            }
        } catch (NodeSettingException | NumberFormatException e) {
            warnings.add(e.getMessage() + "; conntrack limits may be hit early");
        }
    }

    private void seconds(String key, Duration timeout, List<Change> changes, List<String> warnings) {
        if (timeout.toSeconds() > 0) {
            set(key, timeout.toSeconds(), changes, warnings);
        }
    }

    private void set(String key, long value, List<Change> changes, List<String> warnings) {
        OptionalLong current = sysctls.readLong(key);
        // As kube-proxy: only ever raise a value, never lower what the node's owner chose.
        if (current.isPresent() && current.getAsLong() >= value) {
            return;
        }
        try {
            sysctls.write(key, Long.toString(value));
            changes.add(new Change(key, current.isPresent() ? Long.toString(current.getAsLong()) : "?", Long.toString(value)));
        } catch (NodeSettingException e) {
            warnings.add(e.getMessage());
        }
    }

    private void oomScore(int value, List<Change> changes, List<String> warnings) {
        String name = "oom_score_adj";
        try {
            String current = ProcSysctls.readFile(oomScoreAdj, name);
            if (!current.equals(Integer.toString(value))) {
                ProcSysctls.writeFile(oomScoreAdj, name, Integer.toString(value));
                changes.add(new Change(name, current, Integer.toString(value)));
            }
        } catch (NodeSettingException e) {
            warnings.add(e.getMessage());
        }
    }
}
