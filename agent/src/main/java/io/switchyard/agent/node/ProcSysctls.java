package io.switchyard.agent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Sysctls as files under {@code /proc/sys} (the root is injectable, so tests use a temporary directory). */
public final class ProcSysctls implements Sysctls {

    private final Path root;

    public ProcSysctls(Path root) {
        this.root = root;
    }

    /** This process's network namespace's sysctls. */
    public static ProcSysctls host() {
        return new ProcSysctls(Path.of("/proc/sys"));
    }

    @Override
    public String read(String key) {
        return readFile(root.resolve(Sysctls.slashed(key)), key);
    }

    @Override
    public void write(String key, String value) {
        writeFile(root.resolve(Sysctls.slashed(key)), key, value);
    }

    static String readFile(Path file, String name) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new NodeSettingException(name + " does not exist here (is the kernel module loaded?)");
        } catch (IOException e) {
            throw new NodeSettingException("cannot read " + name + ": " + reason(e));
        }
    }

    static void writeFile(Path file, String name, String value) {
        if (!Files.exists(file)) {
            throw new NodeSettingException("cannot set " + name + " to " + value
                    + ": it does not exist here (is the kernel module loaded?)");
        }
        try {
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new NodeSettingException("cannot set " + name + " to " + value + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (read-only here, or not in the initial network namespace)";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
