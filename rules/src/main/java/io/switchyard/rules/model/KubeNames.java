package io.switchyard.rules.model;

/**
 * The syntax the Kubernetes API server enforces on names and label values, checked by hand
 * rather than with regular expressions because conversion checks every object of every event.
 * Each method accepts exactly what the API server's check of the same name accepts.
 */
public final class KubeNames {

    /** Longest DNS label (RFC 1123) and label value. */
    public static final int LABEL_MAX_LENGTH = 63;
    /** Longest DNS subdomain (RFC 1123). */
    public static final int SUBDOMAIN_MAX_LENGTH = 253;

    private KubeNames() {
    }

    /**
     * A DNS label (RFC 1123): 1–63 lowercase letters, digits and '-', starting and ending with a
     * letter or digit. Namespaces, Service names (as the API server accepts them with relaxed
     * Service-name validation) and Service and EndpointSlice port names have this form.
     */
    public static boolean isDnsLabel(String value) {
        return value != null && value.length() <= LABEL_MAX_LENGTH && isLabelPart(value, 0, value.length());
    }

    /**
     * A DNS subdomain (RFC 1123): at most 253 characters, DNS-label-like parts joined by '.'
     * (the API server limits only the whole length). Node and EndpointSlice names have this form.
     */
    public static boolean isDnsSubdomain(String value) {
        if (value == null || value.isEmpty() || value.length() > SUBDOMAIN_MAX_LENGTH) {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == '.') {
                if (!isLabelPart(value, start, i)) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    /**
     * A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending
     * with a letter or digit. Zones and the {@code kubernetes.io/service-name} label have this form.
     */
    public static boolean isLabelValue(String value) {
        if (value == null || value.length() > LABEL_MAX_LENGTH) {
            return false;
        }
        int last = value.length() - 1;
        for (int i = 0; i <= last; i++) {
            char c = value.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && ((i == 0 || i == last) || (c != '-' && c != '_' && c != '.'))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value[from, to)} is a non-empty run of [a-z0-9-] not starting or ending with '-'. */
    private static boolean isLabelPart(String value, int from, int to) {
        if (from >= to || value.charAt(from) == '-' || value.charAt(to - 1) == '-') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
