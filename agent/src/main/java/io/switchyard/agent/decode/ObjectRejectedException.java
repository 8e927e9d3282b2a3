package io.switchyard.agent.decode;

import com.google.gson.JsonParseException;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.util.List;

/**
 * An object one of whose fields the proxy uses has the wrong JSON type: the whole object was
 * read past (the stream is still usable), and what could be read is kept for naming it.
 */
public final class ObjectRejectedException extends JsonParseException {

    private final String kind;
    private final transient KubernetesObject partial;
    private final String location;
    private final List<FieldProblem> problems;

    ObjectRejectedException(String kind, KubernetesObject partial, String location, List<FieldProblem> problems) {
        super(describe(kind, partial, location) + ": " + fields(problems));
        this.kind = kind;
        this.partial = partial;
        this.location = location;
        this.problems = List.copyOf(problems);
    }

    /** The object as a user names it: {@code Service demo/web}, or its place in the input when it has no name. */
    public String object() {
        return describe(kind, partial, location);
    }

    /** What is wrong, one entry per field. */
    public List<FieldProblem> problems() {
        return problems;
    }

    /** The problems on one line: {@code spec.ports[0].port: expected an integer, found ...; ...}. */
    public String fields() {
        return fields(problems);
    }

    /** What could be read, with the bad fields left out; null when the value was not even an object. */
    public KubernetesObject partial() {
        return partial;
    }

    /**
     * Whether the object's metadata was read whole (name, namespace, labels...), so that it can
     * stand for the object where only its identity matters, as in a deletion.
     */
    public boolean identified() {
        return name(partial) != null && problems.stream().noneMatch(FieldProblem::inMetadata);
    }

    private static String describe(String kind, KubernetesObject partial, String location) {
        String name = name(partial);
        if (name != null) {
            String namespace = partial.getMetadata().getNamespace();
            return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
        }
        return kind + (location.isEmpty() ? " (unnamed)" : " at " + location);
    }

    private static String fields(List<FieldProblem> problems) {
        return String.join("; ", problems.stream().map(FieldProblem::toString).toList());
    }

    private static String name(KubernetesObject partial) {
        V1ObjectMeta metadata = partial == null ? null : partial.getMetadata();
        String name = metadata == null ? null : metadata.getName();
        return name == null || name.isEmpty() ? null : name;
    }
}
