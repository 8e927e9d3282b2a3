package io.switchyard.ipvs.netlink;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.Ipvs;
import io.switchyard.ipvs.IpvsInfo;
import io.switchyard.ipvs.IpvsTimeouts;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.NetlinkSocket;
import io.switchyard.netlink.genl.GenericNetlink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link Ipvs} on the kernel: the IPVS generic netlink family over one netlink socket. */
public final class IpvsNetlink implements Ipvs {

    private final NetlinkClient client;
    private final IpvsCodec codec;

    /**
     * IPVS over a generic netlink client whose family has been resolved.
     *
     * @throws io.switchyard.netlink.NetlinkException {@code ENOENT} when the kernel has no IPVS
     *         (module {@code ip_vs} not loaded)
     */
    public IpvsNetlink(GenericNetlink genl) {
        this.client = genl.client();
        this.codec = new IpvsCodec(genl.family(IpvsCodec.FAMILY).id());
    }

    /** IPVS of the caller's network namespace. */
    public static IpvsNetlink open() {
        return over(NetlinkSocket.open(NetlinkSocket.NETLINK_GENERIC));
    }

    /** IPVS of the network namespace behind {@code netnsFile} (e.g. {@code /var/run/netns/NAME}). */
    public static IpvsNetlink open(Path netnsFile) {
        return over(NetlinkSocket.open(NetlinkSocket.NETLINK_GENERIC, netnsFile));
    }

    private static IpvsNetlink over(NetlinkSocket socket) {
        try {
            return new IpvsNetlink(new GenericNetlink(new NetlinkClient(socket)));
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public IpvsInfo info() {
        return IpvsCodec.decodeInfo(client.query(codec.getInfo(), "read IPVS info"));
    }

    @Override
    public List<VirtualServer> virtualServers() {
        List<VirtualServer> services = new ArrayList<>();
        for (NetlinkMessage reply : client.dump(codec.dumpServices(), "list IPVS virtual servers")) {
            IpvsCodec.decodeService(reply).ifPresent(services::add);
        }
        return services;
    }

    @Override
    public void addVirtualServer(VirtualServer service) {
        client.acknowledged(codec.newService(service), "add IPVS virtual server " + describe(service.key()));
    }

    @Override
    public void updateVirtualServer(VirtualServer service) {
        client.acknowledged(codec.setService(service), "update IPVS virtual server " + describe(service.key()));
    }

    @Override
    public void deleteVirtualServer(VirtualServer.Key service) {
        client.acknowledged(codec.delService(service), "delete IPVS virtual server " + describe(service));
    }

    @Override
    public List<Destination> destinations(VirtualServer.Key service) {
        List<Destination> destinations = new ArrayList<>();
        for (NetlinkMessage reply : client.dump(codec.dumpDestinations(service),
                "list destinations of IPVS virtual server " + describe(service))) {
            destinations.add(IpvsCodec.decodeDestination(reply, service.family()));
        }
        return destinations;
    }

    @Override
    public void addDestination(VirtualServer.Key service, Destination destination) {
        client.acknowledged(codec.newDestination(service, destination),
                "add destination " + destination.key() + " to IPVS virtual server " + describe(service));
    }

    @Override
    public void updateDestination(VirtualServer.Key service, Destination destination) {
        client.acknowledged(codec.setDestination(service, destination),
                "update destination " + destination.key() + " of IPVS virtual server " + describe(service));
    }

    @Override
    public void deleteDestination(VirtualServer.Key service, Destination.Key destination) {
        client.acknowledged(codec.delDestination(service, destination),
                "delete destination " + destination + " from IPVS virtual server " + describe(service));
    }

    @Override
    public void flush() {
        client.acknowledged(codec.flush(), "flush IPVS");
    }

    @Override
    public IpvsTimeouts timeouts() {
        return IpvsCodec.decodeConfig(client.query(codec.getConfig(), "read IPVS timeouts"));
    }

    @Override
    public void setTimeouts(IpvsTimeouts timeouts) {
        client.acknowledged(codec.setConfig(timeouts), "set IPVS timeouts to tcp " + timeouts.tcpSeconds()
                + "s, tcpfin " + timeouts.tcpFinSeconds() + "s, udp " + timeouts.udpSeconds() + "s");
    }

    private static String describe(VirtualServer.Key key) {
        return key.fwmark() != 0 ? key.family() + " " + key : key.protocol() + " " + key;
    }

    @Override
    public void close() {
        client.close();
    }
}
