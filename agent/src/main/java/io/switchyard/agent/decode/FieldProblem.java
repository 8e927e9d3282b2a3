package io.switchyard.agent.decode;

/**
 * One field of an object that could not be read.
 *
 * @param path    the field's path in the object, e.g. {@code spec.ports[0].port}
 * @param message what is wrong, e.g. {@code expected an integer, found the string "eighty"}
 */
public record FieldProblem(String path, String message) {

    /** Whether this is about the object's metadata (its name, namespace, labels, version...). */
    public boolean inMetadata() {
        return path.equals("metadata") || path.startsWith("metadata.") || path.startsWith("metadata[");
    }

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
