package io.switchyard.agent.node;

/** A kernel setting that could not be read or written; the message names it. */
public final class NodeSettingException extends RuntimeException {

    public NodeSettingException(String message) {
        super(message);
    }
}
