package io.switchyard.ipvs;

/**
 * What the kernel says about its IPVS: the version (kube-proxy checks it is new enough) and the
 * size of the connection hash table.
 *
 * @param version             {@code major << 16 | minor << 8 | patch}, e.g. {@code 0x010201}
 * @param connectionTableSize buckets in the connection hash table
 */
public record IpvsInfo(int version, int connectionTableSize) {

    /** The version as ipvsadm prints it, e.g. {@code 1.2.1}. */
    public String versionString() {
        return ((version >> 16) & 0xff) + "." + ((version >> 8) & 0xff) + "." + (version & 0xff);
    }
}
