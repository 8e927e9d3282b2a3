package io.switchyard.netlink.rtnl;

/** The in-memory links and addresses against the contract the kernel passes. */
class InMemoryNetworkInterfacesTest extends NetworkInterfacesContract {

    private final InMemoryNetworkInterfaces interfaces = new InMemoryNetworkInterfaces();

    @Override
    protected NetworkInterfaces interfaces() {
        return interfaces;
    }

    @Override
    protected void witnessUp(String link, boolean up) {
    }

    @Override
    protected void witnessAddresses(String link, String... addresses) {
    }
}
