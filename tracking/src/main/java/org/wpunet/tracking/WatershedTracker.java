package org.wpunet.tracking;

import java.util.Arrays;
import org.wpunet.data.LabelVolume;
import org.wpunet.image.Boundaries;
import org.wpunet.image.ConnectedComponents;
import org.wpunet.image.DistanceTransform;

/**
 * 3D grains without slice-to-slice linking: a seeded watershed on the stacked boundary probability
 * (beyond the original; after PlantSeg's distance-transform watershed for cells, here with seeds grown
 * in 3D and the anisotropic section spacing):
 * <ol>
 *   <li><b>Distance</b>: D = the Euclidean distance, in um with the voxel size (pixel in x and y, section
 *       spacing in z), from every grain voxel (not boundary, not on the image border) to the nearest
 *       boundary voxel in 3D. A voxel of slice k close (in x and y) to a boundary of slice k+1 so lies at
 *       most about one spacing from it: where a grain ends under another, the next slice's boundary
 *       pushes the distance down.</li>
 *   <li><b>Cores</b>: in every 2D grain g (a 4-connected grain of its slice) with M_g = max D over g, the
 *       voxels with D >= {@code coreFraction} * M_g (at least g's deepest voxel, so every 2D grain has one).</li>
 *   <li><b>Seeds</b>: the 3D connected components (6-connectivity) of the core voxels: a grain's cores in
 *       adjacent slices touch and join, two grains stacked along z meet only where neither the 2D nor the
 *       other slice's boundary is near.</li>
 *   <li><b>Flooding</b>: every other voxel of a slice takes a seed label by a priority flood (lowest
 *       probability first, first come first served within one of 256 levels, 4-connected in the section),
 *       so the boundaries are split along the probability ridges.</li>
 *   <li>Then as for the trackers: the single-slice-grain fix on every slice between two others, and a 3D
 *       connected relabel (26-connectivity).</li>
 * </ol>
 */
public final class WatershedTracker {
    /** Default fraction of a 2D grain's deepest distance that makes a core voxel. */
    public static final double DEFAULT_CORE_FRACTION = 0.5;
    private static final int LEVELS = 256;

    private final VoxelSize voxel;
    private final double coreFraction;

    public WatershedTracker(VoxelSize voxel) { this(voxel, DEFAULT_CORE_FRACTION); }

    public WatershedTracker(VoxelSize voxel, double coreFraction) {
        if (!(coreFraction > 0 && coreFraction <= 1)) throw new IllegalArgumentException("core fraction must be in (0, 1], got " + coreFraction);
        this.voxel = java.util.Objects.requireNonNull(voxel, "voxel");
        this.coreFraction = coreFraction;
    }

    /**
     * 3D grains of a stack: {@code boundaries[k]} (non-zero = boundary) and {@code probability[k]} (boundary
     * probability in [0, 1]), each {@code width * height} row-major. {@code listener} (may be null) hears
     * each slice as it is flooded.
     */
    public LabelVolume track(byte[][] boundaries, float[][] probability, int width, int height, StackTracker.Listener listener) {
        StackTracker.checkStack(boundaries.length, width, height);
        int depth = boundaries.length, plane = width * height;
        if (probability == null || probability.length != depth)
            throw new IllegalArgumentException("the watershed needs a boundary probability for each of the " + depth + " slices, got "
                    + (probability == null ? 0 : probability.length));
        for (int k = 0; k < depth; k++) {
            if (boundaries[k].length != plane) throw new IllegalArgumentException("boundary slice " + (k + 1) + " is not " + width + "x" + height);
            if (probability[k].length != plane) throw new IllegalArgumentException("probability slice " + (k + 1) + " is not " + width + "x" + height);
        }
        if ((long) plane * depth > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("volume too large: " + (long) plane * depth + " voxels");
        // 2D grains (4-connected, border = boundary) and the grain mask of the whole volume
        int[][] grains2d = new int[depth][];
        byte[] grain = new byte[plane * depth];
        for (int k = 0; k < depth; k++) {
            grains2d[k] = Boundaries.grainsWithBoundary(boundaries[k], width, height).labels();
            for (int i = 0; i < plane; i++) if (grains2d[k][i] != 0) grain[k * plane + i] = 1;
        }
        double[] d2 = DistanceTransform.squared(grain, width, height, depth,
                new double[] {voxel.pixelUm(), voxel.pixelUm(), voxel.spacingUm()});
        byte[] core = new byte[grain.length];
        grain = null;
        double f2 = coreFraction * coreFraction;
        for (int k = 0; k < depth; k++) {
            int[] g = grains2d[k];
            double[] deepest = new double[ConnectedComponents.count(g) + 1];
            for (int i = 0; i < plane; i++) if (g[i] != 0) deepest[g[i]] = Math.max(deepest[g[i]], d2[k * plane + i]);
            for (int i = 0; i < plane; i++)
                if (g[i] != 0 && d2[k * plane + i] >= f2 * deepest[g[i]]) core[k * plane + i] = 1;
        }
        d2 = null;
        int[] seeds = ConnectedComponents.label3D(toInt(core), width, height, depth, 6, 0);
        core = null;
        int[][] stack = new int[depth][];
        int fresh = ConnectedComponents.count(seeds);
        for (int k = 0; k < depth; k++) {
            int[] s = Arrays.copyOfRange(seeds, k * plane, (k + 1) * plane);
            boolean seeded = false;
            for (int v : s) if (v != 0) { seeded = true; break; }
            if (!seeded) Arrays.fill(s, ++fresh);   // a section that is all boundary: one grain of its own
            stack[k] = flood(s, probability[k], width, height);
            if (listener != null) listener.slice(k, depth);
        }
        for (int k = 1; k + 1 < depth; k++) SingleSliceGrains.merge(stack[k - 1], stack[k], stack[k + 1]);
        return StackTracker.relabel3D(width, height, stack);
    }

    /** Priority flood from the non-zero pixels of {@code labels} (at least one) over the section, in place; returns it. */
    static int[] flood(int[] labels, float[] probability, int width, int height) {
        int n = labels.length;
        int[][] bucket = new int[LEVELS][];
        int[] head = new int[LEVELS], tail = new int[LEVELS];
        for (int b = 0; b < LEVELS; b++) bucket[b] = new int[16];
        boolean[] queued = new boolean[n];
        for (int i = 0; i < n; i++) if (labels[i] != 0) queued[i] = true;
        for (int i = 0; i < n; i++) if (labels[i] != 0) pushNeighbours(i, labels, probability, queued, width, height, bucket, tail);
        for (int level = 0; level < LEVELS; ) {
            if (head[level] == tail[level]) { level++; continue; }
            int i = bucket[level][head[level]++];
            // take the label of the first labelled neighbour (up, down, left, right)
            int x = i % width, v = 0;
            if (i >= width && labels[i - width] != 0) v = labels[i - width];
            else if (i + width < n && labels[i + width] != 0) v = labels[i + width];
            else if (x > 0 && labels[i - 1] != 0) v = labels[i - 1];
            else if (x + 1 < width && labels[i + 1] != 0) v = labels[i + 1];
            labels[i] = v;
            level = Math.min(level, pushNeighbours(i, labels, probability, queued, width, height, bucket, tail));
        }
        return labels;
    }

    /** Queues the unqueued 4-neighbours of i; returns the lowest level queued (LEVELS if none). */
    private static int pushNeighbours(int i, int[] labels, float[] p, boolean[] queued, int width, int height, int[][] bucket, int[] tail) {
        int x = i % width, n = labels.length, lowest = LEVELS;
        int[] nb = {i >= width ? i - width : -1, i + width < n ? i + width : -1, x > 0 ? i - 1 : -1, x + 1 < width ? i + 1 : -1};
        for (int j : nb) {
            if (j < 0 || queued[j]) continue;
            queued[j] = true;
            int level = level(p[j]);
            if (tail[level] == bucket[level].length) bucket[level] = Arrays.copyOf(bucket[level], bucket[level].length * 2);
            bucket[level][tail[level]++] = j;
            lowest = Math.min(lowest, level);
        }
        return lowest;
    }

    private static int level(float p) {
        if (!(p > 0)) return 0;   // NaN and negatives: lowest
        return p >= 1 ? LEVELS - 1 : (int) (p * LEVELS);
    }

    private static int[] toInt(byte[] b) {
        int[] v = new int[b.length];
        for (int i = 0; i < b.length; i++) v[i] = b[i];
        return v;
    }
}
