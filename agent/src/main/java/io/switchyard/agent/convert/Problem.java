package io.switchyard.agent.convert;

/**
 * Something wrong with one input object (or file): reported on one line naming it, while
 * everything else is still processed.
 *
 * @param object what is wrong, e.g. {@code Service default/web} or a file path
 */
public record Problem(String object, String message) {

    @Override
    public String toString() {
        return object + ": " + message;
    }
}
