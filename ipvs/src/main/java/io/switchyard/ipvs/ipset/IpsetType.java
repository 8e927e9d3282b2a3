package io.switchyard.ipvs.ipset;

/** The ipset types kube-proxy's ipvs mode uses, with the spelling {@code ipset} reads and prints. */
public enum IpsetType {
    HASH_IP("hash:ip"),
    HASH_IP_PORT("hash:ip,port"),
    HASH_IP_PORT_IP("hash:ip,port,ip"),
    HASH_IP_PORT_NET("hash:ip,port,net"),
    BITMAP_PORT("bitmap:port");

    private final String kernelName;

    IpsetType(String kernelName) {
        this.kernelName = kernelName;
    }

    /** {@code hash:ip,port} and so on. */
    public String kernelName() {
        return kernelName;
    }

    /** Hash sets hold addresses of one family and say which; bitmap:port sets hold only ports. */
    public boolean hasFamily() {
        return this != BITMAP_PORT;
    }

    /** The type for a name as {@code ipset save} prints it, or null for a type kube-proxy never uses. */
    public static IpsetType fromKernelName(String name) {
        for (IpsetType type : values()) {
            if (type.kernelName.equals(name)) {
                return type;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return kernelName;
    }
}
