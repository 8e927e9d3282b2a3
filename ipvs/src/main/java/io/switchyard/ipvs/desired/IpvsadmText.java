package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;

/**
 * Virtual servers in {@code ipvsadm -Sn} form, for {@code dump-rules}: an {@code -A} line per
 * server followed by an {@code -a} line per real server, numeric, in the given order. Checked
 * against ipvsadm 1.31 on an IPVS kernel: {@code ipvsadm -R} of this text saves back identically.
 */
public final class IpvsadmText {

    /** {@code IP_VS_SVC_F_SCHED2}: the second scheduler flag, which kube-proxy sets for {@code mh}. */
    private static final int SCHED2 = 0x10;

    private IpvsadmText() {
    }

    /** Every desired server of a state, in key order. */
    public static String save(IpvsDesiredState state) {
        StringBuilder out = new StringBuilder(state.servers().size() * 64);
        for (DesiredServer server : state.servers().values()) {
            out.append(serverLine(server.server())).append('\n');
            for (Destination destination : server.destinations()) {
                out.append(destinationLine(server.server(), destination)).append('\n');
            }
        }
        return out.toString();
    }

    /** {@code -A -t 10.96.0.1:443 -s rr [-p 10800]}. */
    public static String serverLine(VirtualServer server) {
        StringBuilder line = new StringBuilder("-A ").append(service(server)).append(" -s ").append(server.scheduler());
        if ((server.flags() & VirtualServer.PERSISTENT) != 0) {
            line.append(" -p ").append(server.timeoutSeconds());
            if (server.family() == IpFamily.IPV4 && server.netmask() != 0xffffffff) {
                line.append(" -M ").append(ipv4Mask(server.netmask()));
            } else if (server.family() == IpFamily.IPV6 && server.netmask() != 128) {
                line.append(" -M ").append(server.netmask());
            }
        }
        if ((server.flags() & SCHED2) != 0) {
            line.append(" -b ").append(switch (server.scheduler()) {
                case "mh" -> "mh-port";
                case "sh" -> "sh-port";
                default -> "flag-2";
            });
        }
        if ((server.flags() & VirtualServer.ONE_PACKET) != 0) {
            line.append(" -o");
        }
        return line.toString();
    }

    /** {@code -a -t 10.96.0.1:443 -r 10.244.1.5:6443 -m -w 1}; like ipvsadm -S, without thresholds. */
    public static String destinationLine(VirtualServer server, Destination destination) {
        return "-a " + service(server) + " -r " + destination.key() + " " + destination.method().ipvsadmFlag()
                + " -w " + destination.weight();
    }

    private static String service(VirtualServer server) {
        if (server.fwmark() != 0) {
            return "-f " + server.fwmark();
        }
        String flag = server.protocol() == Protocol.SCTP ? "--sctp-service" : server.protocol() == Protocol.UDP ? "-u" : "-t";
        return flag + " " + server.key();
    }

    private static String ipv4Mask(int mask) {
        return ((mask >>> 24) & 0xff) + "." + ((mask >>> 16) & 0xff) + "." + ((mask >>> 8) & 0xff) + "." + (mask & 0xff);
    }
}
