package org.wpunet.image;

import java.util.Arrays;

/**
 * Connected-component labelling like {@code skimage.measure.label}: pixels (voxels) that hold the
 * same value and are connected get the same label; pixels equal to the background value get label 0.
 * Labels are consecutive 1..n, numbered in raster order of each component's first pixel (x fastest,
 * then y, then z), exactly as scikit-image numbers them.
 *
 * <p>Connectivity in 2D: 4 (edge neighbours, skimage {@code connectivity=1}) or 8 (edge and corner
 * neighbours, {@code connectivity=2}). In 3D: 6 (face neighbours, {@code connectivity=1}) or 26
 * (faces, edges and corners, {@code connectivity=3}). Volumes are {@code int[]} with voxel (x, y, z)
 * at {@code x + width * (y + height * z)}.
 *
 * <p>Algorithm: one raster pass with union-find over provisional labels (the root of a set is always
 * its smallest provisional label, i.e. the component's first pixel), then a pass that maps roots to
 * consecutive final labels.
 */
public final class ConnectedComponents {
    private ConnectedComponents() {}

    /** Labels a 2D image of values; {@code connectivity} 4 or 8. */
    public static LabelImage label(int[] values, int width, int height, int connectivity, int background) {
        check2(values.length, width, height, connectivity);
        int[] offX, offY;
        if (connectivity == 4) { offX = new int[]{-1, 0}; offY = new int[]{0, -1}; }
        else { offX = new int[]{-1, -1, 0, 1}; offY = new int[]{0, -1, -1, -1}; }
        int[] lab = new int[values.length];
        UnionFind uf = new UnionFind();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = x + width * y, v = values[i];
                if (v == background) continue;
                int cur = 0;
                for (int k = 0; k < offX.length; k++) {
                    int nx = x + offX[k], ny = y + offY[k];
                    if (nx < 0 || ny < 0 || nx >= width) continue;
                    int j = nx + width * ny;
                    if (values[j] != v) continue;
                    int l = lab[j];
                    if (cur == 0) cur = l; else if (cur != l) cur = uf.union(cur, l);
                }
                lab[i] = cur == 0 ? uf.make() : cur;
            }
        }
        uf.finish(lab);
        return new LabelImage(width, height, lab);
    }

    /** Labels a 2D image of unsigned byte values (e.g. a 0/255 mask); {@code connectivity} 4 or 8. */
    public static LabelImage label(byte[] values, int width, int height, int connectivity, int background) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) v[i] = values[i] & 0xFF;
        return label(v, width, height, connectivity, background);
    }

    /** Labels the non-zero pixels of a binary mask (zero = background); {@code connectivity} 4 or 8. */
    public static LabelImage labelMask(byte[] mask, int width, int height, int connectivity) {
        int[] v = new int[mask.length];
        for (int i = 0; i < v.length; i++) v[i] = mask[i] != 0 ? 1 : 0;
        return label(v, width, height, connectivity, 0);
    }

    /** Labels a 3D volume of values; {@code connectivity} 6 or 26. Returns labels 1..n, 0 = background. */
    public static int[] label3D(int[] values, int width, int height, int depth, int connectivity, int background) {
        if (width <= 0 || height <= 0 || depth <= 0 || (long) width * height * depth != values.length)
            throw new IllegalArgumentException("volume " + width + "x" + height + "x" + depth
                    + " does not match " + values.length + " voxels");
        if (connectivity != 6 && connectivity != 26)
            throw new IllegalArgumentException("3D connectivity must be 6 or 26, got " + connectivity);
        int[][] off;
        if (connectivity == 6) off = new int[][]{{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}};
        else {
            off = new int[13][];
            int k = 0;
            for (int dz = -1; dz <= 0; dz++)
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        if (dz == 0 && (dy > 0 || (dy == 0 && dx >= 0))) continue;
                        off[k++] = new int[]{dx, dy, dz};
                    }
        }
        int[] lab = new int[values.length];
        UnionFind uf = new UnionFind();
        int plane = width * height;
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) {
                    int i = x + width * y + plane * z, v = values[i];
                    if (v == background) continue;
                    int cur = 0;
                    for (int[] o : off) {
                        int nx = x + o[0], ny = y + o[1], nz = z + o[2];
                        if (nx < 0 || ny < 0 || nz < 0 || nx >= width || ny >= height) continue;
                        int j = nx + width * ny + plane * nz;
                        if (values[j] != v) continue;
                        int l = lab[j];
                        if (cur == 0) cur = l; else if (cur != l) cur = uf.union(cur, l);
                    }
                    lab[i] = cur == 0 ? uf.make() : cur;
                }
        uf.finish(lab);
        return lab;
    }

    /**
     * Consecutive relabelling like {@code skimage.segmentation.relabel_sequential}: the distinct
     * non-zero labels, in increasing order, become 1..n; 0 stays 0. Returns a new array.
     */
    public static int[] relabelSequential(int[] labels) {
        int[] sorted = labels.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++)
            if (sorted[i] != 0 && (i == 0 || sorted[i] != sorted[i - 1])) sorted[distinct++] = sorted[i];
        int[] keys = Arrays.copyOf(sorted, distinct);
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++)
            out[i] = labels[i] == 0 ? 0 : Arrays.binarySearch(keys, labels[i]) + 1;
        return out;
    }

    /** Number of components (the largest label) of a labelling produced here. */
    public static int count(int[] labels) {
        int m = 0;
        for (int v : labels) if (v > m) m = v;
        return m;
    }

    private static void check2(int n, int width, int height, int connectivity) {
        if (width <= 0 || height <= 0 || (long) width * height != n)
            throw new IllegalArgumentException("image " + width + "x" + height + " does not match " + n + " pixels");
        if (connectivity != 4 && connectivity != 8)
            throw new IllegalArgumentException("2D connectivity must be 4 or 8, got " + connectivity);
    }

    /** Union-find over provisional labels 1..n; the root of a set is its smallest member. */
    private static final class UnionFind {
        int[] parent = new int[1024];
        int n;

        int make() {
            if (++n == parent.length) parent = Arrays.copyOf(parent, parent.length * 2);
            parent[n] = n;
            return n;
        }

        int find(int a) {
            int r = a;
            while (parent[r] != r) r = parent[r];
            while (parent[a] != r) { int next = parent[a]; parent[a] = r; a = next; }
            return r;
        }

        int union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra == rb) return ra;
            if (ra < rb) { parent[rb] = ra; return ra; }
            parent[ra] = rb;
            return rb;
        }

        /** Replaces provisional labels in place by consecutive final labels in order of the roots. */
        void finish(int[] lab) {
            int[] fin = new int[n + 1];
            int next = 0;
            for (int i = 1; i <= n; i++) {
                int r = find(i);
                fin[i] = r == i ? ++next : fin[r];
            }
            for (int i = 0; i < lab.length; i++) lab[i] = fin[lab[i]];
        }
    }
}
