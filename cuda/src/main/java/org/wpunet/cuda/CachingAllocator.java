package org.wpunet.cuda;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A caching device allocator with block splitting, after PyTorch's CUDA caching allocator. Requests are
 * rounded up to 512 B. Memory comes from the device in segments: 2 MiB segments for small requests
 * (at most 1 MiB) shared by many blocks, and for large ones a 20 MiB segment when the request is under
 * 10 MiB, else the request rounded up to 2 MiB. A request takes the smallest free block of its pool
 * (small or large, per stream: stream order makes reuse safe without events) that fits and splits off
 * the rest when that remainder is still useful (at least 512 B in the small pool, over 1 MiB in the
 * large one), so one training step's churn of differently sized tensors reuses a few segments instead
 * of caching one block per size. Freed blocks merge with free neighbours of their segment. When the
 * device is out of memory, the cache is emptied (fully free segments given back) and the request
 * retried once.
 */
public final class CachingAllocator {
    /** The raw device allocator underneath (cuMemAlloc / cuMemFree, or a fake in tests). */
    public interface RawMemory {
        /** Allocates bytes, returns the device address; throws {@link OutOfMemory} when the device is full. */
        long malloc(long bytes);

        /** Frees a segment the stream no longer uses ({@link #synchronize} has run since its last use). */
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

    /** A block of a segment: address, size (a multiple of 512), owning stream. */
    public static final class Block {
        private final long address, stream, segment;
        private long size;
        private final boolean small;
        private Block prev, next;
        private boolean free;

        private Block(long address, long size, long stream, long segment, boolean small) {
            this.address = address;
            this.size = size;
            this.stream = stream;
            this.segment = segment;
            this.small = small;
        }

        public long address() { return address; }

        public long size() { return size; }

        public long stream() { return stream; }

        /** The base address of the device allocation (segment) this block was split from. */
        public long segment() { return segment; }

        @Override
        public String toString() { return "Block[" + Long.toHexString(address) + ", " + size + " B]"; }
    }

    public record Stats(long inUse, long reserved, long peakInUse, long cached, int blocksInUse) {}

    static final long ROUND = 512, SMALL = 1L << 20, SMALL_SEGMENT = 2L << 20, LARGE_ROUND = 2L << 20,
            MID_LARGE = 10L << 20, MID_SEGMENT = 20L << 20;

    private static final Comparator<Block> BY_SIZE = Comparator.comparingLong((Block b) -> b.size).thenComparingLong(b -> b.address);

    private final RawMemory raw;
    /** Free blocks per (stream, small?) pool, by size then address. */
    private final Map<Long, TreeSet<Block>> smallPools = new HashMap<>(), largePools = new HashMap<>();
    /** Segment base address -> its first block. */
    private final Map<Long, Block> segments = new HashMap<>();
    private final Map<Long, Long> segmentSizes = new HashMap<>();
    private long inUse, reserved, peak;
    private int blocksInUse;

    public CachingAllocator(RawMemory raw) { this.raw = raw; }

    /** A request's size: a multiple of 512 B, at least 512. */
    public static long roundSize(long bytes) {
        long b = Math.max(1, bytes);
        return (b + ROUND - 1) / ROUND * ROUND;
    }

    /** The segment a new request of {@code size} (rounded) gets from the device. */
    static long segmentSize(long size) {
        if (size <= SMALL) return SMALL_SEGMENT;
        if (size < MID_LARGE) return MID_SEGMENT;
        return (size + LARGE_ROUND - 1) / LARGE_ROUND * LARGE_ROUND;
    }

    private TreeSet<Block> pool(long stream, boolean small) {
        return (small ? smallPools : largePools).computeIfAbsent(stream, s -> new TreeSet<>(BY_SIZE));
    }

    public synchronized Block allocate(long bytes, long stream) {
        long size = roundSize(bytes);
        boolean small = size <= SMALL;
        TreeSet<Block> pool = pool(stream, small);
        Block b = pool.ceiling(new Block(0, size, stream, 0, small));
        if (b != null) {
            pool.remove(b);
        } else {
            b = newSegment(size, stream, small);
        }
        long rest = b.size - size;
        if (small ? rest >= ROUND : rest > SMALL) {
            Block r = new Block(b.address + size, rest, stream, b.segment, small);
            r.free = true;
            r.prev = b;
            r.next = b.next;
            if (b.next != null) b.next.prev = r;
            b.next = r;
            b.size = size;
            pool.add(r);
        }
        b.free = false;
        inUse += b.size;
        blocksInUse++;
        peak = Math.max(peak, inUse);
        return b;
    }

    private Block newSegment(long size, long stream, boolean small) {
        long seg = segmentSize(size), addr;
        try {
            addr = raw.malloc(seg);
        } catch (OutOfMemory e) {
            emptyCache();
            try {
                addr = raw.malloc(seg);
            } catch (OutOfMemory e2) {
                throw new CudaException("out of device memory allocating " + seg + " bytes for a request of " + size
                        + " (in use " + inUse + ", reserved " + reserved + "): " + e2.getMessage());
            }
        }
        reserved += seg;
        Block b = new Block(addr, seg, stream, addr, small);
        segments.put(addr, b);
        segmentSizes.put(addr, seg);
        return b;
    }

    /** Returns a block to its pool, merged with free neighbours of its segment. */
    public synchronized void free(Block b) {
        if (b.free) throw new IllegalStateException(b + " freed twice");
        inUse -= b.size;
        blocksInUse--;
        b.free = true;
        TreeSet<Block> pool = pool(b.stream, b.small);
        if (b.next != null && b.next.free) {
            Block n = b.next;
            pool.remove(n);
            b.size += n.size;
            b.next = n.next;
            if (n.next != null) n.next.prev = b;
        }
        if (b.prev != null && b.prev.free) {
            Block p = b.prev;
            pool.remove(p);
            p.size += b.size;
            p.next = b.next;
            if (b.next != null) b.next.prev = p;
            b = p;
        }
        pool.add(b);
    }

    /** Gives every fully free segment back to the device, after one wait for the stream. */
    public synchronized void emptyCache() {
        List<Block> whole = new ArrayList<>();
        for (var e : segments.entrySet()) {
            Block first = e.getValue();
            if (first.free && first.next == null && first.size == segmentSizes.get(e.getKey())) whole.add(first);
        }
        if (whole.isEmpty()) return;
        raw.synchronize(); // once: cuMemFree of a block the stream may still touch is unsafe
        for (Block b : whole) {
            pool(b.stream, b.small).remove(b);
            segments.remove(b.segment);
            segmentSizes.remove(b.segment);
            raw.free(b.segment);
            reserved -= b.size;
        }
    }

    /**
     * Bytes a new allocation could use without failing: what the device has free plus what this cache
     * holds (given back on demand by {@link #allocate}'s retry).
     */
    public synchronized long allocatable() {
        long free = raw.freeBytes();
        return free == Long.MAX_VALUE ? free : free + (reserved - inUse);
    }

    /** In use, reserved from the device, peak in use, cached (reserved but free), blocks in use. */
    public synchronized Stats stats() { return new Stats(inUse, reserved, peak, reserved - inUse, blocksInUse); }

    public synchronized void resetPeak() { peak = inUse; }
}
