package io.switchyard.ipvs.plan;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;

import java.util.List;
import java.util.Objects;

/** A virtual server as the kernel reports it, with its real servers and their connection counters. */
public record InstalledServer(VirtualServer server, List<Destination> destinations) {

    public InstalledServer {
        Objects.requireNonNull(server, "server");
        destinations = List.copyOf(destinations);
    }
}
