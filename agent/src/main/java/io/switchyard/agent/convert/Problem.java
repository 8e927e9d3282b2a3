package io.switchyard.agent.convert;

import io.switchyard.rules.model.Printable;

/**
 * Something wrong with one input object (or file): reported on one line naming it, while
 * everything else is still processed. Both parts are kept to one line whatever they are built
 * from: control characters and line separators are escaped on construction.
 *
 * @param object what is wrong, e.g. {@code Service default/web} or a file path
 */
public record Problem(String object, String message) {

    public Problem {
        object = Printable.oneLine(object);
        message = Printable.oneLine(message);
    }

    /**
     * How a problem names an object: {@code Kind namespace/name}, or {@code Kind name} for a
     * cluster-scoped one (null namespace). A part that is not a plain name is shown quoted and
     * escaped, a missing name as {@code (unnamed)}.
     */
    public static String describe(String kind, String namespace, String name) {
        String shownName = name == null || name.isEmpty() ? "(unnamed)" : plainOrQuoted(name);
        return namespace == null ? kind + " " + shownName : kind + " " + plainOrQuoted(namespace) + "/" + shownName;
    }

    private static String plainOrQuoted(String part) {
        if (part.isEmpty() || part.length() > Printable.MAX_SHOWN) {
            return Printable.quote(part);
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return Printable.quote(part);
            }
        }
        return part;
    }

    @Override
    public String toString() {
        return object + ": " + message;
    }
}
