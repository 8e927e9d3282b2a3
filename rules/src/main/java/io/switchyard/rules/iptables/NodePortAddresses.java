package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;

import java.util.ArrayList;
import java.util.List;

/**
 * Where node ports answer ({@code --nodeport-addresses}), reduced to one family: every local
 * address, or only the node's addresses inside the given CIDRs.
 */
public record NodePortAddresses(boolean matchAll, List<Cidr> cidrs) {

    private static final String IPV4_LOOPBACK = "127.0.0.1";

    public NodePortAddresses {
        cidrs = List.copyOf(cidrs);
    }

    /** Node ports on every local address: the default. */
    public static NodePortAddresses all() {
        return new NodePortAddresses(true, List.of());
    }

    /**
     * Reads the flag's CIDRs for one family. CIDRs of the other family are ignored; when none
     * is of this family, or one is the zero CIDR, node ports match every local address.
     */
    public static NodePortAddresses of(IpFamily family, List<Cidr> all) {
        List<Cidr> mine = all.stream().filter(c -> c.family() == family).toList();
        if (mine.isEmpty() || mine.stream().anyMatch(Cidr::isZero)) {
            return new NodePortAddresses(true, mine);
        }
        return new NodePortAddresses(false, mine);
    }

    /** Whether 127.0.0.1 is among the addresses: localhost node ports need it. */
    public boolean containsIpv4Loopback() {
        return cidrs.isEmpty() || cidrs.stream().anyMatch(c -> c.contains(IPV4_LOOPBACK));
    }

    /** The given local addresses that node ports answer on (only meaningful without matchAll). */
    public List<String> select(List<String> localAddresses) {
        List<String> out = new ArrayList<>();
        for (String address : localAddresses) {
            if (cidrs.stream().anyMatch(c -> c.contains(address)) && !out.contains(address)) {
                out.add(IpLiteral.canonical(address));
            }
        }
        return out;
    }
}
