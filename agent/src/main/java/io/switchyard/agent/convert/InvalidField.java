package io.switchyard.agent.convert;

/**
 * The first field of an object that the API server would refuse, and why. Thrown inside a
 * converter and caught by it, which turns it into the object's one {@link Problem}; it never
 * leaves the package, so it carries no stack trace.
 */
final class InvalidField extends RuntimeException {

    private final String path;

    InvalidField(String path, String reason) {
        super(reason, null, false, false);
        this.path = path;
    }

    /** {@code path: reason}, e.g. {@code spec.ports[1].name: required when there are several ports}. */
    String describe() {
        return path + ": " + getMessage();
    }
}
