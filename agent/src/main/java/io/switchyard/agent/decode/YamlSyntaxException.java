package io.switchyard.agent.decode;

/** Text that is not valid YAML, with a message fit for a user: where, and what is wrong. */
public final class YamlSyntaxException extends Exception {

    YamlSyntaxException(String message) {
        super(message);
    }
}
