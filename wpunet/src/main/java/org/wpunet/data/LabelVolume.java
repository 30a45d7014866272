package org.wpunet.data;

import java.util.Objects;

/**
 * A 3D integer label volume: voxel (x, y, z) is {@code labels[x + width * (y + height * z)]}
 * (x fastest, then y, then z). Label 0 means "no grain" (not used by the generators); grain ids are
 * positive and identify the same 3D grain in every z plane.
 */
public final class LabelVolume {
    private final int width, height, depth;
    private final int[] labels;

    public LabelVolume(int width, int height, int depth, int[] labels) {
        if (width <= 0 || height <= 0 || depth <= 0)
            throw new IllegalArgumentException("volume size must be positive: " + width + "x" + height + "x" + depth);
        Objects.requireNonNull(labels, "labels");
        if ((long) width * height * depth != labels.length)
            throw new IllegalArgumentException("labels has " + labels.length + " voxels, expected "
                    + width + "x" + height + "x" + depth);
        this.width = width; this.height = height; this.depth = depth; this.labels = labels;
    }

    /** Stacks 2D label planes (each width*height, row-major) into a volume; copies. */
    public static LabelVolume ofSlices(int width, int height, int[][] slices) {
        long n = (long) width * height * slices.length;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("volume too large for one int[]: " + n + " voxels");
        int plane = width * height;
        int[] all = new int[(int) n];
        for (int z = 0; z < slices.length; z++) {
            if (slices[z].length != plane)
                throw new IllegalArgumentException("slice " + z + " has " + slices[z].length + " pixels, expected " + plane);
            System.arraycopy(slices[z], 0, all, z * plane, plane);
        }
        return new LabelVolume(width, height, slices.length, all);
    }

    public int width() { return width; }
    public int height() { return height; }
    public int depth() { return depth; }

    /** The backing array (not a copy). */
    public int[] data() { return labels; }

    public int get(int x, int y, int z) { return labels[x + width * (y + height * z)]; }

    /** A copy of plane z (width*height, row-major). */
    public int[] slice(int z) {
        Objects.checkIndex(z, depth);
        int plane = width * height;
        int[] out = new int[plane];
        System.arraycopy(labels, z * plane, out, 0, plane);
        return out;
    }

    /** Largest label present. */
    public int maxLabel() {
        int m = 0;
        for (int v : labels) m = Math.max(m, v);
        return m;
    }
}
