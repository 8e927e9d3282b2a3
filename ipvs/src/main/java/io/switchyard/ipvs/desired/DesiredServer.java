package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.rules.model.ServicePortName;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One virtual server a sync wants, the real servers it wants behind it (sorted by address and
 * port, weight 1, masquerading) and the service port it serves.
 */
public record DesiredServer(VirtualServer server, List<Destination> destinations, ServicePortName owner) {

    public DesiredServer {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(owner, "owner");
        destinations = destinations.stream().sorted(Comparator.comparing(Destination::key)).toList();
    }
}
