package io.switchyard.agent.tracking;

import io.kubernetes.client.openapi.models.V1Node;
import io.switchyard.agent.convert.NodeConverter;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One family's cluster state from a snapshot of objects, built the way the running agent builds
 * it — the same label selection, the same {@link ChangeTracker}, the same Node conversion — so
 * that {@code dump-rules} shows exactly what {@code run} would program.
 *
 * @param problems what was wrong with the objects (each skipped, or the part of it that was wrong)
 */
public record ClusterSnapshot(ClusterState state, LocalNode node, List<Problem> problems) {

    public ClusterSnapshot {
        problems = List.copyOf(problems);
    }

    /** Feeds the selected objects to a fresh tracker as a source's initial list would. */
    public static ClusterSnapshot of(IpFamily family, String nodeName, ProxySelection selection, ClusterObjects objects) {
        List<Problem> problems = new ArrayList<>();
        ChangeTracker tracker = new ChangeTracker(family, Instant.MAX, problems::add);
        objects.services().stream().filter(selection::selects).forEach(s -> tracker.serviceUpdate(null, s));
        objects.endpointSlices().stream().filter(selection::selects).forEach(s -> tracker.endpointSliceUpdate(s, false));
        LocalNode node = LocalNode.named(nodeName);
        for (V1Node candidate : objects.nodes()) {
            if (candidate.getMetadata() != null && nodeName.equals(candidate.getMetadata().getName())) {
                node = NodeConverter.convert(candidate, problems);
            }
        }
        return new ClusterSnapshot(tracker.takeChanges().state(), node, problems);
    }
}
