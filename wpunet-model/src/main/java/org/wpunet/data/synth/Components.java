package org.wpunet.data.synth;

/**
 * Connected components of equal-valued voxels (union-find with path halving), used by the Potts
 * model: to measure the section grain size and to give every 3D grain its own id when spin values
 * repeat. Face connectivity (4 in 2D, 6 in 3D).
 */
final class Components {
    private Components() {}

    private static int find(int[] parent, int i) {
        while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a), rb = find(parent, b);
        if (ra != rb) { if (ra < rb) parent[rb] = ra; else parent[ra] = rb; }
    }

    /** Number of 4-connected regions of equal value in a width*height plane starting at {@code offset}. */
    static int count2D(int[] v, int offset, int width, int height) {
        int n = width * height;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (x + 1 < width && v[offset + i] == v[offset + i + 1]) union(parent, i, i + 1);
                if (y + 1 < height && v[offset + i] == v[offset + i + width]) union(parent, i, i + width);
            }
        int c = 0;
        for (int i = 0; i < n; i++) if (find(parent, i) == i) c++;
        return c;
    }

    /**
     * Replaces values by ids of 6-connected equal-valued regions, numbered 1, 2, ... in scan order.
     * @return the number of regions
     */
    static int relabel3D(int[] v, int width, int height, int depth) {
        int n = v.length, plane = width * height;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) {
                    int i = x + width * y + plane * z;
                    if (x + 1 < width && v[i] == v[i + 1]) union(parent, i, i + 1);
                    if (y + 1 < height && v[i] == v[i + width]) union(parent, i, i + width);
                    if (z + 1 < depth && v[i] == v[i + plane]) union(parent, i, i + plane);
                }
        // union always hangs the larger root under the smaller and path halving only shortens paths,
        // so parent[i] <= i: an ascending scan finds each voxel's parent already numbered
        int next = 0;
        for (int i = 0; i < n; i++) v[i] = parent[i] == i ? ++next : v[parent[i]];
        return next;
    }
}
