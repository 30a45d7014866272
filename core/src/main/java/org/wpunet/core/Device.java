package org.wpunet.core;

/**
 * Where a tensor lives: {@code cpu} or {@code cuda:N}. Parse user strings with {@link #parse}.
 */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (!type.equals("cpu") && !type.equals("cuda")) {
            throw new IllegalArgumentException("unknown device type '" + type + "' (expected cpu or cuda)");
        }
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    /** The CUDA device with the given ordinal. */
    public static Device cuda(int index) { return new Device("cuda", index); }

    /** Parses "cpu", "cuda", "cuda:1" (also "gpu" as "cuda:0"). */
    public static Device parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) return CPU;
        if (t.equals("cuda") || t.equals("gpu")) return cuda(0);
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad device '" + s + "' (expected cpu, cuda or cuda:N)");
            }
        }
        throw new IllegalArgumentException("bad device '" + s + "' (expected cpu, cuda or cuda:N)");
    }

    public boolean isCpu() { return type.equals("cpu"); }

    @Override
    public String toString() { return isCpu() ? "cpu" : type + ":" + index; }
}
