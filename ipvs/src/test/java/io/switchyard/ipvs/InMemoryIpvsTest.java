package io.switchyard.ipvs;

/** The in-memory fake against the same contract the kernel passes in the VM. */
class InMemoryIpvsTest extends IpvsContract {

    private final InMemoryIpvs ipvs = new InMemoryIpvs();

    @Override
    protected Ipvs ipvs() {
        return ipvs;
    }

    @Override
    protected void witness(String... ipvsadmSaveLines) {
    }

    @Override
    protected void witnessTimeouts(int tcp, int tcpFin, int udp) {
    }
}
