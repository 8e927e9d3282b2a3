package io.switchyard.netlink.genl;

/**
 * A generic netlink family as the kernel registered it: its message type (the id) and the
 * interface version it speaks.
 */
public record GenlFamily(String name, int id, int version) {
}
