package org.wpunet.core.cpu;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded pool of float arrays, keyed by exact length, fed by CPU storages whose last tensor was
 * closed explicitly ({@link CpuStorage#dropData}) and drained by new F32 storages of the same length.
 * <p>
 * Why: Java zero-fills every new array, and a large one ({@code >=} half a G1 region) is a humongous
 * allocation on fresh, cache-cold memory; measured, {@code new float[4 << 20]} costs 1-5 ms against
 * 0.2 ms for filling a reused array of that length. An inference allocates 50-70 MiB of such outputs
 * per 256^2 slice, the same lengths every slice, so reusing them removes both the fresh-memory cost
 * and most GC pauses.
 * <p>
 * Bound: at most {@code wpunet.cpu.pool} MiB (default 256, 0 turns the pool off) and at most an
 * eighth of the maximum heap; when a returned array would pass the bound, arrays of the least
 * recently used lengths are dropped first (to the GC), and an array larger than the bound is never
 * kept. The arrays are held softly: the GC takes them back before it would fail an allocation, so
 * the pool never costs an OutOfMemoryError (heldBytes counts them until a take or eviction notices).
 * Only arrays of at least {@link #MIN_LENGTH} floats are pooled: smaller ones come cheaply from
 * the thread-local allocation buffer. {@link #clear()} empties the pool. Thread-safe (one lock; a
 * take or give is a map look-up, far below the cost of the kernels around it).
 */
public final class CpuBufferPool {
    /** Arrays shorter than this (64 KiB) are not pooled. */
    static final int MIN_LENGTH = 16 * 1024;

    private static long boundBytes = configuredBound();
    /** Lengths in least-recently-used order (access order), each with its free arrays. */
    private static final LinkedHashMap<Integer, ArrayDeque<SoftReference<float[]>>> FREE = new LinkedHashMap<>(16, 0.75f, true);
    private static long heldBytes;
    /** Test mode (see {@link #setPoison}). */
    private static volatile boolean poison = Boolean.getBoolean("wpunet.cpu.pool.poison");

    private CpuBufferPool() {}

    private static long configuredBound() {
        long mib;
        try {
            mib = Long.parseLong(System.getProperty("wpunet.cpu.pool", "256").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wpunet.cpu.pool must be a whole number of MiB, got '"
                    + System.getProperty("wpunet.cpu.pool") + "'");
        }
        if (mib < 0) throw new IllegalArgumentException("wpunet.cpu.pool must be >= 0 MiB, got " + mib);
        return Math.min(mib << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /** The pool's bound in bytes (0: off). */
    public static synchronized long boundBytes() { return boundBytes; }

    /** Sets the bound in bytes, 0 for off (tests, {@code BufferPoolTiming}); the pool is cleared. */
    public static synchronized void setBoundBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("pool bound must be >= 0 bytes, got " + bytes);
        clear();
        boundBytes = bytes;
    }

    /** Bytes held by pooled arrays now. */
    public static synchronized long heldBytes() { return heldBytes; }

    /** Drops every pooled array (to the GC). */
    public static synchronized void clear() {
        FREE.clear();
        heldBytes = 0;
    }

    /**
     * Test mode ({@code -Dwpunet.cpu.pool.poison=true} or this switch): every uninitialized F32
     * allocation, pooled or new, is filled with NaN, so a kernel that leaves an element unwritten
     * shows NaN in its output. Returns the previous setting.
     */
    public static boolean setPoison(boolean on) {
        boolean was = poison;
        poison = on;
        return was;
    }

    /** A zeroed array of length n: pooled and cleared when one is free, new otherwise. */
    static float[] zeroed(int n) {
        float[] a = take(n);
        if (a == null) return new float[n];
        Arrays.fill(a, 0f);
        return a;
    }

    /**
     * An array of length n with unspecified contents (NaN in test mode), for a caller that writes
     * every element before anything reads it.
     */
    static float[] uninitialized(int n) {
        float[] a = take(n);
        if (poison) {
            if (a == null) a = new float[n];
            Arrays.fill(a, Float.NaN);
        }
        return a != null ? a : new float[n];
    }

    private static float[] take(int n) {
        return n < MIN_LENGTH ? null : takePooled(n); // small arrays never take the lock
    }

    private static synchronized float[] takePooled(int n) {
        if (heldBytes == 0) return null;
        ArrayDeque<SoftReference<float[]>> q = FREE.get(n);
        if (q == null) return null;
        float[] a = null;
        while (a == null && !q.isEmpty()) { // skips arrays the GC took back
            a = q.pollLast().get();
            heldBytes -= (long) n * Float.BYTES;
        }
        if (q.isEmpty()) FREE.remove(n);
        return a;
    }

    /** Takes back an array no tensor can reach any more (its storage was dropped by an explicit close). */
    static void give(float[] a) {
        if (a.length >= MIN_LENGTH) givePooled(a); // small arrays never take the lock
    }

    private static synchronized void givePooled(float[] a) {
        long bytes = (long) a.length * Float.BYTES;
        if (bytes > boundBytes) return;
        Iterator<Map.Entry<Integer, ArrayDeque<SoftReference<float[]>>>> lru = FREE.entrySet().iterator();
        while (heldBytes + bytes > boundBytes && lru.hasNext()) {
            Map.Entry<Integer, ArrayDeque<SoftReference<float[]>>> e = lru.next();
            ArrayDeque<SoftReference<float[]>> q = e.getValue();
            while (!q.isEmpty() && heldBytes + bytes > boundBytes) {
                q.pollFirst();
                heldBytes -= (long) e.getKey() * Float.BYTES;
            }
            if (q.isEmpty()) lru.remove();
        }
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(new SoftReference<>(a));
        heldBytes += bytes;
    }
}
