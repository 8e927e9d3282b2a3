package io.switchyard.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many CPUs the machine has, from the kernel's list of online CPUs ({@code 0-3,6}), as
 * kube-proxy counts them for {@code conntrack.maxPerCore}: a container's CPU limit does not
 * change the machine's conntrack table.
 */
public final class Cpus {

    private Cpus() {
    }

    /** The number of CPUs in a list file such as /sys/devices/system/cpu/online; the JVM's count when it cannot be read. */
    public static int online(Path list) {
        try {
            int count = count(Files.readString(list).strip());
            return count > 0 ? count : Runtime.getRuntime().availableProcessors();
        } catch (IOException | IllegalArgumentException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Counts a kernel CPU list: {@code 0-3,6} is 5. */
    static int count(String list) {
        int count = 0;
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(part.strip());
                count++;
            } else {
                count += Integer.parseInt(part.substring(dash + 1).strip()) - Integer.parseInt(part.substring(0, dash).strip()) + 1;
            }
        }
        return count;
    }
}
