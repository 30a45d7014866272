package org.wpunet.image;

/**
 * Conversions between label images and boundary maps. Boundary maps are 8-bit images, one byte per
 * pixel, row-major, {@code 255} (byte {@code -1}) = boundary and {@code 0} = grain interior; when
 * reading a boundary map any non-zero byte counts as boundary.
 */
public final class Boundaries {
    /** Byte value of a boundary pixel (255). */
    public static final byte BOUNDARY = (byte) 255;

    private Boundaries() {}

    /**
     * One-pixel-wide boundaries: pixel (x, y) is boundary when its right neighbour (x+1, y) or its
     * lower neighbour (x, y+1) exists and has another label. Every 4-adjacent pair of pixels with
     * different labels then has at least one boundary pixel, so the grains (non-boundary pixels)
     * remain 4-separated, with lines one pixel wide.
     */
    public static byte[] fromLabels(int[] labels, int width, int height) {
        check(labels.length, width, height);
        byte[] out = new byte[labels.length];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < width; x++) {
                int i = row + x, v = labels[i];
                if ((x + 1 < width && labels[i + 1] != v) || (y + 1 < height && labels[i + width] != v))
                    out[i] = BOUNDARY;
            }
        }
        return out;
    }

    /**
     * The symmetric rule: pixel (x, y) is boundary when any of its 4-neighbours ({@code connectivity}
     * 4) or 8-neighbours ({@code connectivity} 8) inside the image has another label. Lines are two
     * pixels wide (both sides of each label change are marked).
     */
    public static byte[] fromLabelsSymmetric(int[] labels, int width, int height, int connectivity) {
        check(labels.length, width, height);
        if (connectivity != 4 && connectivity != 8)
            throw new IllegalArgumentException("connectivity must be 4 or 8, got " + connectivity);
        byte[] out = new byte[labels.length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int v = labels[x + width * y];
                boolean b = false;
                for (int dy = -1; dy <= 1 && !b; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        if ((dx == 0 && dy == 0) || (connectivity == 4 && dx != 0 && dy != 0)) continue;
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        if (labels[nx + width * ny] != v) { b = true; break; }
                    }
                if (b) out[x + width * y] = BOUNDARY;
            }
        return out;
    }

    /**
     * Grains of a boundary map, every pixel assigned to one grain: (1) the pixels of the image border
     * count as boundary; (2) the non-boundary pixels are labelled as 4-connected components 1..n in
     * raster order; (3) boundary pixels are absorbed into adjacent grains by a breadth-first growth
     * in 4-connectivity: in each wave, every still unassigned pixel with an assigned 4-neighbour takes
     * the smallest label among those neighbours (so each boundary pixel joins a geodesically nearest
     * grain, ties broken by the smaller label). If the map has no grain pixel at all, the whole image
     * is one grain, label 1.
     */
    public static LabelImage toGrains(byte[] boundary, int width, int height) {
        check(boundary.length, width, height);
        int[] lab = grainsWithBoundary(boundary, width, height).labels();
        boolean any = false;
        for (int v : lab) if (v != 0) { any = true; break; }
        if (!any) {
            java.util.Arrays.fill(lab, 1);
            return new LabelImage(width, height, lab);
        }
        int n = lab.length;
        int[] frontier = new int[n], next = new int[n];
        int fn = 0;
        // first wave: unassigned pixels adjacent to a grain
        for (int i = 0; i < n; i++) if (lab[i] == 0 && minNeighbour(lab, i, width, height) > 0) frontier[fn++] = i;
        int[] pending = new int[n];
        while (fn > 0) {
            for (int k = 0; k < fn; k++) pending[k] = minNeighbour(lab, frontier[k], width, height);
            for (int k = 0; k < fn; k++) lab[frontier[k]] = pending[k];
            int nn = 0;
            for (int k = 0; k < fn; k++) {
                int i = frontier[k], x = i % width, y = i / width;
                if (x > 0 && lab[i - 1] == 0 && mark(next, nn, i - 1, lab)) nn++;
                if (x + 1 < width && lab[i + 1] == 0 && mark(next, nn, i + 1, lab)) nn++;
                if (y > 0 && lab[i - width] == 0 && mark(next, nn, i - width, lab)) nn++;
                if (y + 1 < height && lab[i + width] == 0 && mark(next, nn, i + width, lab)) nn++;
            }
            for (int k = 0; k < nn; k++) lab[next[k]] = 0; // clear the "queued" marks
            int[] t = frontier; frontier = next; next = t; fn = nn;
        }
        return new LabelImage(width, height, lab);
    }

    /**
     * Grains with boundary pixels kept as label 0: pixels of the image border count as boundary, the
     * other non-boundary pixels are labelled as 4-connected components 1..n in raster order.
     */
    public static LabelImage grainsWithBoundary(byte[] boundary, int width, int height) {
        check(boundary.length, width, height);
        int[] v = new int[boundary.length];
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++) v[x + width * y] = boundary[x + width * y] == 0 ? 1 : 0;
        return ConnectedComponents.label(v, width, height, 4, 0);
    }

    /** Boundary map (0/255) of a boolean-like mask: non-zero input bytes become 255. */
    public static byte[] normalize(byte[] map) {
        byte[] out = new byte[map.length];
        for (int i = 0; i < map.length; i++) if (map[i] != 0) out[i] = BOUNDARY;
        return out;
    }

    // queue marker: a negative value distinct from any label, removed before the next wave is assigned
    private static boolean mark(int[] next, int nn, int j, int[] lab) {
        lab[j] = -1;
        next[nn] = j;
        return true;
    }

    private static int minNeighbour(int[] lab, int i, int width, int height) {
        int x = i % width, y = i / width, m = Integer.MAX_VALUE;
        if (x > 0 && lab[i - 1] > 0) m = Math.min(m, lab[i - 1]);
        if (x + 1 < width && lab[i + 1] > 0) m = Math.min(m, lab[i + 1]);
        if (y > 0 && lab[i - width] > 0) m = Math.min(m, lab[i - width]);
        if (y + 1 < height && lab[i + width] > 0) m = Math.min(m, lab[i + width]);
        return m == Integer.MAX_VALUE ? 0 : m;
    }

    private static void check(int n, int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height != n)
            throw new IllegalArgumentException("image " + width + "x" + height + " does not match " + n + " pixels");
    }
}
