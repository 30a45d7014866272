package org.wpunet.core;

/**
 * Memory a backend holds, in bytes: {@code inUse} by live storages, {@code reserved} from the
 * device (in use plus cached blocks of a caching allocator; on the CPU in use plus the arrays kept
 * for reuse by {@code CpuBufferPool}), and the peak of {@code inUse} since start or the last reset.
 */
public record MemoryStats(long inUse, long reserved, long peakInUse) {
    @Override
    public String toString() {
        return String.format("in use %.1f MiB, reserved %.1f MiB, peak %.1f MiB", inUse / 1048576.0, reserved / 1048576.0,
                peakInUse / 1048576.0);
    }
}
