package org.wpunet.nn.autograd;

import org.wpunet.core.Backends;
import org.wpunet.core.Device;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the tensor memory of a training step goes: off unless {@code -Dwpunet.memory.trace=true}; then
 * the backward engine records, after each node's rule has returned (the moment the gradients of its
 * inputs, the pending gradients and every value still alive are held together), the bytes in use on
 * the root's device, and callers add their own marks (end of forward, after the optimiser step).
 * {@link #report} prints the marks against a baseline; {@link #reset} starts a new trace. One
 * thread's step at a time (the marks are a plain list).
 */
public final class MemoryTrace {
    /** True when -Dwpunet.memory.trace=true. */
    public static final boolean ENABLED = Boolean.getBoolean("wpunet.memory.trace");

    /** One mark: what had just happened and the bytes held by tensors on the device then. */
    public record Mark(String label, long inUse) {}

    private static final List<Mark> MARKS = new ArrayList<>();

    private MemoryTrace() {}

    /** Records the bytes in use on d now under label (nothing when the trace is off). */
    public static void mark(String label, Device d) {
        if (ENABLED) MARKS.add(new Mark(label, Backends.memoryStats(d).inUse()));
    }

    /** The marks since the last {@link #reset}, oldest first. */
    public static List<Mark> marks() { return List.copyOf(MARKS); }

    public static void reset() { MARKS.clear(); }

    /**
     * Prints the caller's marks (labels not starting with "backward ") and the backward marks with the
     * most bytes in use (top of them), each in MiB above baseline; backward marks are numbered by
     * their position in the reverse sweep.
     */
    public static void report(PrintStream out, long baseline, int top) {
        List<Mark> ms = marks();
        out.println("memory trace (MiB above " + String.format(Locale.ROOT, "%.1f", baseline / 1048576.0) + " MiB):");
        List<int[]> backward = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < ms.size(); i++) {
            Mark m = ms.get(i);
            if (m.label().startsWith("backward ")) {
                backward.add(new int[]{i, k++});
            } else {
                out.printf(Locale.ROOT, "  %-60s %9.1f%n", m.label(), (m.inUse() - baseline) / 1048576.0);
            }
        }
        backward.sort((a, b) -> Long.compare(ms.get(b[0]).inUse(), ms.get(a[0]).inUse()));
        out.println("  highest backward marks (step of " + k + "):");
        for (int j = 0; j < Math.min(top, backward.size()); j++) {
            Mark m = ms.get(backward.get(j)[0]);
            out.printf(Locale.ROOT, "  %4d %-55s %9.1f%n", backward.get(j)[1], m.label(), (m.inUse() - baseline) / 1048576.0);
        }
    }
}
