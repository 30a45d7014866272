package org.wpunet.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching device allocator: freed blocks go back to a per-stream cache keyed by their size class
 * and are reused by later requests on the same stream (stream order makes reuse safe without
 * events). Size classes: multiples of 512 B below 1 MiB, multiples of 2 MiB above (PyTorch's
 * rounding), so a cached block wastes at most 511 B or 2 MiB - 1 B. A request takes the smallest
 * cached block of at least its class and at most twice it. When the device is out of memory the
 * cache is emptied and the allocation retried once.
 */
public final class CachingAllocator {
    /** The raw device allocator underneath (cuMemAlloc / cuMemFree, or a fake in tests). */
    public interface RawMemory {
        /** Allocates bytes, returns the device address; throws {@link OutOfMemory} when the device is full. */
        long malloc(long bytes);

        /** Frees a block the stream no longer uses ({@link #synchronize} has run since its last use). */
        void free(long address);

        /** Waits until the device has finished every queued use of every block (once per emptyCache). */
        default void synchronize() {}

        /** Bytes the device could still allocate (cuMemGetInfo's free), for sizing optional workspaces. */
        default long freeBytes() { return Long.MAX_VALUE; }
    }

    /** Raw allocation failure for lack of memory (other failures are plain CudaExceptions). */
    public static final class OutOfMemory extends RuntimeException {
        public OutOfMemory(String m) { super(m); }
    }

    /** A device block: address, size class, owning stream. */
    public record Block(long address, long size, long stream) {}

    public record Stats(long inUse, long reserved, long peakInUse, long cached, int blocksInUse) {}

    static final long SMALL = 1L << 20, SMALL_ROUND = 512, LARGE_ROUND = 2L << 20;

    private final RawMemory raw;
    private final Map<Long, TreeMap<Long, ArrayDeque<Block>>> cache = new HashMap<>();
    private long inUse, reserved, peak, cached;
    private int blocksInUse;

    public CachingAllocator(RawMemory raw) { this.raw = raw; }

    /** The size class of a request (>= 1 byte). */
    public static long roundSize(long bytes) {
        long b = Math.max(1, bytes);
        if (b < SMALL) return (b + SMALL_ROUND - 1) / SMALL_ROUND * SMALL_ROUND;
        return (b + LARGE_ROUND - 1) / LARGE_ROUND * LARGE_ROUND;
    }

    public synchronized Block allocate(long bytes, long stream) {
        long size = roundSize(bytes);
        Block b = takeCached(size, stream);
        if (b == null) {
            long addr;
            try {
                addr = raw.malloc(size);
            } catch (OutOfMemory e) {
                emptyCache();
                try {
                    addr = raw.malloc(size);
                } catch (OutOfMemory e2) {
                    throw new CudaException("out of device memory allocating " + size + " bytes (in use " + inUse
                            + ", reserved " + reserved + "): " + e2.getMessage());
                }
            }
            reserved += size;
            b = new Block(addr, size, stream);
        }
        inUse += b.size();
        blocksInUse++;
        peak = Math.max(peak, inUse);
        return b;
    }

    private Block takeCached(long size, long stream) {
        TreeMap<Long, ArrayDeque<Block>> bins = cache.get(stream);
        if (bins == null) return null;
        Map.Entry<Long, ArrayDeque<Block>> e = bins.ceilingEntry(size);
        if (e == null || e.getKey() > 2 * size) return null;
        Block b = e.getValue().pop();
        if (e.getValue().isEmpty()) bins.remove(e.getKey());
        cached -= b.size();
        return b;
    }

    /** Returns a block to the cache of its stream. */
    public synchronized void free(Block b) {
        inUse -= b.size();
        blocksInUse--;
        cached += b.size();
        cache.computeIfAbsent(b.stream(), s -> new TreeMap<>()).computeIfAbsent(b.size(), s -> new ArrayDeque<>()).push(b);
    }

    /** Gives every cached (unused) block back to the device. */
    public synchronized void emptyCache() {
        if (cache.isEmpty()) return;
        raw.synchronize(); // once: cuMemFree of a block the stream may still touch is unsafe
        for (TreeMap<Long, ArrayDeque<Block>> bins : cache.values()) {
            for (ArrayDeque<Block> q : bins.values()) {
                for (Block b : q) {
                    raw.free(b.address());
                    reserved -= b.size();
                }
            }
        }
        cache.clear();
        cached = 0;
    }

    /**
     * Bytes a new allocation could use without failing: what the device has free plus what this cache
     * holds (given back on demand by {@link #allocate}'s retry).
     */
    public synchronized long allocatable() {
        long free = raw.freeBytes();
        return free == Long.MAX_VALUE ? free : free + cached;
    }

    public synchronized Stats stats() { return new Stats(inUse, reserved, peak, cached, blocksInUse); }

    public synchronized void resetPeak() { peak = inUse; }
}
