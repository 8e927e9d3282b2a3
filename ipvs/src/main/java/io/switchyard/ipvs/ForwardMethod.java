package io.switchyard.ipvs;

/** How IPVS hands a connection to a real server ({@code IP_VS_CONN_F_FWD_MASK} values). */
public enum ForwardMethod {
    /** NAT: what kube-proxy uses ({@code ipvsadm -m}). */
    MASQ(0, "-m"),
    LOCAL_NODE(1, "-m"),
    TUNNEL(2, "-i"),
    DIRECT_ROUTE(3, "-g"),
    BYPASS(4, "-b");

    private final int kernelValue;
    private final String ipvsadmFlag;

    ForwardMethod(int kernelValue, String ipvsadmFlag) {
        this.kernelValue = kernelValue;
        this.ipvsadmFlag = ipvsadmFlag;
    }

    /** The value in the kernel's connection flags. */
    public int kernelValue() {
        return kernelValue;
    }

    /** How {@code ipvsadm -S} spells it. */
    public String ipvsadmFlag() {
        return ipvsadmFlag;
    }

    /** The method for a kernel flags value (only its low three bits count). */
    public static ForwardMethod fromKernel(int flags) {
        int value = flags & 0x7;
        for (ForwardMethod method : values()) {
            if (method.kernelValue == value) {
                return method;
            }
        }
        throw new IllegalArgumentException("unknown IPVS forwarding method " + value);
    }
}
