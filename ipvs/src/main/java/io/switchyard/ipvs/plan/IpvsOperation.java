package io.switchyard.ipvs.plan;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;

import java.util.Objects;

/** One change to the kernel's IPVS table, as the netlink layer carries it out. */
public sealed interface IpvsOperation {

    /** The virtual server the change is about. */
    VirtualServer server();

    /** Create a virtual server. */
    record AddServer(VirtualServer server) implements IpvsOperation {
        public AddServer {
            Objects.requireNonNull(server, "server");
        }
    }

    /** Change a virtual server's scheduler, flags or timeout in place (the VIP stays up). */
    record UpdateServer(VirtualServer server) implements IpvsOperation {
        public UpdateServer {
            Objects.requireNonNull(server, "server");
        }
    }

    /** Remove a virtual server and everything behind it. */
    record DeleteServer(VirtualServer server) implements IpvsOperation {
        public DeleteServer {
            Objects.requireNonNull(server, "server");
        }
    }

    /** Add a real server behind a virtual server. */
    record AddDestination(VirtualServer server, Destination destination) implements IpvsOperation {
        public AddDestination {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(destination, "destination");
        }
    }

    /** Set a real server's weight (0 while it drains, 1 when it serves). */
    record UpdateDestination(VirtualServer server, Destination destination) implements IpvsOperation {
        public UpdateDestination {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(destination, "destination");
        }
    }

    /** Remove a real server. */
    record DeleteDestination(VirtualServer server, Destination destination) implements IpvsOperation {
        public DeleteDestination {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(destination, "destination");
        }
    }
}
