package org.wpunet.tracking;

import java.util.Objects;
import org.wpunet.data.LabelVolume;
import org.wpunet.image.ConnectedComponents;
import org.wpunet.image.LabelImage;

/**
 * Tracks the grains of a stack of boundary maps into 3D grains, as the original's
 * {@code GrainTrack.get_tracked_label_stack} (ORIGINAL.md section 8):
 * <ol>
 *   <li>slice 0's grains ({@link SliceGrains}) keep their labels 1..n, and {@code labelNum = n};</li>
 *   <li>for slice k >= 1: its grains are linked to slice k-1 as tracked ({@link GrainLinker}); a linked
 *       grain takes the previous id, the others take new ids labelNum+1, +2, ... in label order;</li>
 *   <li>when k > 1, slice k-1 then gets the single-slice-grain fix against slices k-2 and k
 *       ({@link SingleSliceGrains}; slice k is not re-tracked, as in the original); labelNum becomes
 *       the largest id in slices 0..k;</li>
 *   <li>finally equal-id voxels are relabelled as 3D connected components (26-connectivity), so an id
 *       that a linker reused for pieces that do not touch becomes separate grains.</li>
 * </ol>
 * The first and last slices never get the single-slice fix (as in the original). Result ids are
 * 1..K, numbered in order of first voxel (x fastest, then y, then z).
 */
public final class StackTracker {
    private StackTracker() {}

    /** Progress: called after slice {@code k} (0-based) of {@code count} is tracked. */
    @FunctionalInterface
    public interface Listener {
        void slice(int k, int count);
    }

    /** Tracks boundary maps (each {@code width * height}, row-major, 255 = boundary, 0 = grain). */
    public static LabelVolume track(byte[][] boundaries, int width, int height, GrainLinker linker) {
        return track(boundaries, width, height, linker, null);
    }

    /** As {@link #track(byte[][], int, int, GrainLinker)}, reporting each slice to {@code listener} (may be null). */
    public static LabelVolume track(byte[][] boundaries, int width, int height, GrainLinker linker, Listener listener) {
        checkStack(boundaries.length, width, height);
        int plane = width * height;
        for (int k = 0; k < boundaries.length; k++)
            if (boundaries[k] == null || boundaries[k].length != plane)
                throw new IllegalArgumentException("slice " + (k + 1) + " has " + (boundaries[k] == null ? 0 : boundaries[k].length)
                        + " pixels, slice 1 is " + width + "x" + height);
        return link(boundaries.length, width, height, k -> SliceGrains.of(boundaries[k], width, height), linker, listener);
    }

    /**
     * Tracks per-slice grains given as a volume: plane z holds slice z's own grains, labels 1..n_z on
     * every pixel (e.g. {@link SliceGrains} of each slice, or a watershed's 2D regions).
     */
    public static LabelVolume track(LabelVolume sliceGrains, GrainLinker linker, Listener listener) {
        int w = sliceGrains.width(), h = sliceGrains.height();
        return link(sliceGrains.depth(), w, h, k -> new LabelImage(w, h, sliceGrains.slice(k)), linker, listener);
    }

    private interface Slices { LabelImage get(int k); }

    private static LabelVolume link(int depth, int width, int height, Slices grains, GrainLinker linker, Listener listener) {
        Objects.requireNonNull(linker, "linker");
        int[][] stack = new int[depth][];
        int[] maxOf = new int[depth];
        LabelImage first = grains.get(0);
        stack[0] = first.labels().clone();
        maxOf[0] = first.maxLabel();
        int labelNum = maxOf[0];
        if (listener != null) listener.slice(0, depth);
        for (int k = 1; k < depth; k++) {
            LabelImage cur = grains.get(k);
            int n = cur.maxLabel();
            int[] prevIdOf = linker.link(new LabelImage(width, height, stack[k - 1]), cur);
            checkLinks(prevIdOf, n, maxOf[k - 1], linker);
            int[] idOf = new int[n + 1];
            for (int c = 1; c <= n; c++) idOf[c] = prevIdOf[c] != 0 ? prevIdOf[c] : ++labelNum;
            int[] c = cur.labels(), track = new int[c.length];
            for (int i = 0; i < c.length; i++) track[i] = idOf[c[i]];
            if (k > 1) {
                SingleSliceGrains.merge(stack[k - 2], stack[k - 1], track);
                maxOf[k - 1] = max(stack[k - 1]);
            }
            stack[k] = track;
            maxOf[k] = max(track);
            labelNum = 0;
            for (int z = 0; z <= k; z++) labelNum = Math.max(labelNum, maxOf[z]);
            if (listener != null) listener.slice(k, depth);
        }
        return relabel3D(width, height, stack);
    }

    /** Equal-id voxels as 3D connected components (26-connectivity), ids 1..K; consumes {@code stack}. */
    public static LabelVolume relabel3D(int width, int height, int[][] stack) {
        int plane = width * height;
        long n = (long) plane * stack.length;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("volume too large for one int[]: " + n + " voxels");
        int[] all = new int[(int) n];
        for (int z = 0; z < stack.length; z++) {
            System.arraycopy(stack[z], 0, all, z * plane, plane);
            stack[z] = null;
        }
        int[] lab = ConnectedComponents.label3D(all, width, height, stack.length, 26, 0);
        return new LabelVolume(width, height, stack.length, lab);
    }

    private static void checkLinks(int[] prevIdOf, int n, int maxPrev, GrainLinker linker) {
        if (prevIdOf == null || prevIdOf.length != n + 1)
            throw new IllegalStateException(linker.getClass().getSimpleName() + " returned " + (prevIdOf == null ? "null" : prevIdOf.length
                    + " links") + " for " + n + " grains (expected n + 1)");
        boolean[] used = new boolean[maxPrev + 1];
        for (int c = 1; c <= n; c++) {
            int id = prevIdOf[c];
            if (id == 0) continue;
            if (id < 0 || id > maxPrev || used[id])
                throw new IllegalStateException(linker.getClass().getSimpleName() + " linked grain " + c + " to id " + id
                        + ", which is not a free previous grain");
            used[id] = true;
        }
    }

    static void checkStack(int depth, int width, int height) {
        if (depth == 0) throw new IllegalArgumentException("the stack is empty: no slices to track");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("slice size must be positive: " + width + "x" + height);
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) m = Math.max(m, v);
        return m;
    }
}
