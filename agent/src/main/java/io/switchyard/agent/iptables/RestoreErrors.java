package io.switchyard.agent.iptables;

/** Cuts the lines around the one iptables-restore refused, for the error log. */
final class RestoreErrors {

    private RestoreErrors() {
    }

    /** Lines {@code line - around .. line + around} of the document, numbered, the bad one marked. */
    static String context(String document, int line, int around) {
        if (line <= 0) {
            return "(iptables-restore did not say which line)";
        }
        String[] lines = document.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(1, line - around); i <= Math.min(lines.length, line + around); i++) {
            out.append(i == line ? "=> " : "   ").append(i).append(": ").append(lines[i - 1]).append('\n');
        }
        return out.toString();
    }
}
