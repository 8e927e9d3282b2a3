package io.switchyard.rules.iptables;

import io.switchyard.rules.iptables.RestorePlan.Owner;
import io.switchyard.rules.iptables.RestorePlan.Span;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Assembles one iptables-restore transaction while remembering whose each line is, so that a
 * line the kernel refuses can be traced back to the Service (or stale chain) that wrote it.
 */
final class TransactionText {

    private final StringBuilder text;
    private final List<Span> spans = new ArrayList<>();
    private final Set<String> chains = new LinkedHashSet<>();
    private final Set<String> deleted = new LinkedHashSet<>();
    private boolean filter;
    private boolean natBase;
    private boolean natEntry;
    private int lines;

    TransactionText(int capacity) {
        text = new StringBuilder(capacity);
    }

    /** Appends newline-terminated text; its lines belong to {@code owner} (null: to no one). */
    TransactionText append(CharSequence lines, Owner owner) {
        int count = 0;
        for (int i = 0; i < lines.length(); i++) {
            if (lines.charAt(i) == '\n') {
                count++;
            }
        }
        if (count == 0) {
            return this;
        }
        text.append(lines);
        if (owner != null) {
            Span last = spans.isEmpty() ? null : spans.getLast();
            if (last != null && last.owner().equals(owner) && last.lastLine() == this.lines) {
                spans.set(spans.size() - 1, new Span(last.firstLine(), this.lines + count, owner));
            } else {
                spans.add(new Span(this.lines + 1, this.lines + count, owner));
            }
        }
        this.lines += count;
        return this;
    }

    TransactionText table(String name) {
        return append("*" + name + "\n", null);
    }

    TransactionText commit() {
        return append("COMMIT\n", null);
    }

    TransactionText declare(String chain, Owner owner) {
        return append(":" + chain + " - [0:0]\n", owner);
    }

    /** Records that this transaction flushes and refills a service chain. */
    void wrote(String chain) {
        chains.add(chain);
    }

    /** Records that this transaction deletes a stale chain. */
    void deletes(String chain) {
        deleted.add(chain);
    }

    void wroteFilter() {
        filter = true;
    }

    void wroteNatBase() {
        natBase = true;
    }

    void wroteNatEntry() {
        natEntry = true;
    }

    RestorePlan.Transaction build(String stage) {
        return new RestorePlan.Transaction(stage, text.toString(), lines,
                new RestorePlan.Contents(chains, deleted, filter, natBase, natEntry, spans));
    }
}
