package io.switchyard.agent.metrics;

import io.switchyard.agent.exec.ProcessRunner;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads nfacct packet counters with the {@code nfacct} tool ({@code nfacct get NAME} prints
 * {@code { pkts = 00000000000000000042, bytes = ... } = NAME;}). Run once per counter per scrape;
 * a counter that cannot be read is logged once and left out of that scrape, as kube-proxy does.
 */
public final class NfacctPackets implements PacketCounters {

    private static final System.Logger LOG = System.getLogger(NfacctPackets.class.getName());
    private static final Pattern PACKETS = Pattern.compile("pkts\\s*=\\s*(\\d+)");

    private final ProcessRunner runner;
    private final Set<String> failureLogged = ConcurrentHashMap.newKeySet();

    public NfacctPackets(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public OptionalLong packets(String name) {
        ProcessRunner.Result result = runner.run(List.of("nfacct", "get", name), null);
        Matcher matcher = PACKETS.matcher(result.stdout());
        if (result.ok() && matcher.find()) {
            failureLogged.remove(name);
            try {
                return OptionalLong.of(Long.parseLong(matcher.group(1)));
            } catch (NumberFormatException e) {
                // Past 2^63 packets: leave it out rather than fail the scrape.
            }
        }
        if (failureLogged.add(name)) {
            String why = result.stderr().isBlank() ? result.stdout().strip() : result.stderr().strip();
            LOG.log(System.Logger.Level.WARNING, "Failed to read nfacct counter {0}: {1}", name,
                    why.isEmpty() ? "no packet count in the output of nfacct get" : why);
        }
        return OptionalLong.empty();
    }
}
