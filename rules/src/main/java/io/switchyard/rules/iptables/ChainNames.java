package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.ServicePortName;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * kube-proxy's chain names: a prefix plus the first 16 characters of the base32 (RFC 4648,
 * standard alphabet) SHA-256 of the service port name and protocol (and endpoint, for SEP).
 * Sixteen base32 characters are exactly the first ten bytes of the digest.
 */
public final class ChainNames {

    public static final String SERVICE_PREFIX = "KUBE-SVC-";
    public static final String SERVICE_LOCAL_PREFIX = "KUBE-SVL-";
    public static final String EXTERNAL_PREFIX = "KUBE-EXT-";
    public static final String FIREWALL_PREFIX = "KUBE-FW-";
    public static final String ENDPOINT_PREFIX = "KUBE-SEP-";

    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    /** MessageDigest instances are not thread-safe and costly to look up: one per thread. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ChainNames::sha256);

    private ChainNames() {
    }

    /** KUBE-SVC-*: dispatches to the Cluster-policy endpoints. */
    public static String servicePort(ServicePortName name) {
        return SERVICE_PREFIX + hash(name.toString() + name.protocol().lowerCase());
    }

    /** KUBE-SVL-*: dispatches to the Local-policy endpoints. */
    public static String servicePortLocal(ServicePortName name) {
        return SERVICE_LOCAL_PREFIX + hash(name.toString() + name.protocol().lowerCase());
    }

    /** KUBE-EXT-*: where external (NodePort, LB, external IP) traffic enters. */
    public static String external(ServicePortName name) {
        return EXTERNAL_PREFIX + hash(name.toString() + name.protocol().lowerCase());
    }

    /** KUBE-FW-*: loadBalancerSourceRanges filtering. */
    public static String firewall(ServicePortName name) {
        return FIREWALL_PREFIX + hash(name.toString() + name.protocol().lowerCase());
    }

    /** KUBE-SEP-*: DNAT to one endpoint. */
    public static String endpoint(ServicePortName name, Endpoint endpoint) {
        return ENDPOINT_PREFIX + hash(name.toString() + name.protocol().lowerCase() + endpoint.hostPort());
    }

    /** Whether a chain is one of the per-service chains kube-proxy creates and garbage-collects. */
    public static boolean isServiceChain(String chain) {
        return chain.startsWith(SERVICE_PREFIX) || chain.startsWith(SERVICE_LOCAL_PREFIX)
                || chain.startsWith(ENDPOINT_PREFIX) || chain.startsWith(FIREWALL_PREFIX)
                || chain.startsWith(EXTERNAL_PREFIX);
    }

    /** The 16-character base32 prefix of SHA-256(input). */
    static String hash(String input) {
        byte[] digest = SHA256.get().digest(input.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[16];
        // 16 symbols of 5 bits = 80 bits = the first 10 bytes, in two 40-bit groups.
        for (int group = 0; group < 2; group++) {
            long bits = 0;
            for (int i = 0; i < 5; i++) {
                bits = (bits << 8) | (digest[group * 5 + i] & 0xff);
            }
            for (int i = 0; i < 8; i++) {
                out[group * 8 + i] = BASE32[(int) (bits >>> (35 - 5 * i)) & 31];
            }
        }
        return new String(out);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
