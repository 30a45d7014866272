package org.wpunet.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/** Region properties of label images (label 0 is background and has no region). */
public final class Regions {
    private Regions() {}

    /** Regions of all positive labels present, ordered by label. Negative labels are an error. */
    public static List<Region> of(LabelImage image) {
        int w = image.width(), h = image.height();
        int[] lab = image.labels();
        int max = 0;
        for (int v : lab) {
            if (v < 0) throw new IllegalArgumentException("negative label " + v);
            max = Math.max(max, v);
        }
        long[] area = new long[max + 1], sx = new long[max + 1], sy = new long[max + 1];
        int[] minX = new int[max + 1], minY = new int[max + 1], maxX = new int[max + 1], maxY = new int[max + 1];
        Arrays.fill(minX, Integer.MAX_VALUE);
        Arrays.fill(minY, Integer.MAX_VALUE);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int l = lab[x + w * y];
                if (l == 0) continue;
                area[l]++; sx[l] += x; sy[l] += y;
                if (x < minX[l]) minX[l] = x;
                if (y < minY[l]) minY[l] = y;
                if (x > maxX[l]) maxX[l] = x;
                if (y > maxY[l]) maxY[l] = y;
            }
        List<Region> out = new ArrayList<>();
        for (int l = 1; l <= max; l++)
            if (area[l] > 0)
                out.add(new Region(l, (int) area[l], minX[l], minY[l], maxX[l] + 1, maxY[l] + 1,
                        (double) sx[l] / area[l], (double) sy[l] / area[l]));
        return out;
    }

    /**
     * The labels adjacent to {@code label}: the distinct labels, other than {@code label} and 0, of
     * the 4- or 8-neighbours ({@code connectivity}) of its pixels; sorted ascending.
     */
    public static int[] neighbours(LabelImage image, int label, int connectivity) {
        if (connectivity != 4 && connectivity != 8) throw new IllegalArgumentException("connectivity must be 4 or 8");
        int w = image.width(), h = image.height();
        int[] lab = image.labels();
        TreeSet<Integer> set = new TreeSet<>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                if (lab[x + w * y] != label) continue;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        if ((dx == 0 && dy == 0) || (connectivity == 4 && dx != 0 && dy != 0)) continue;
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        int o = lab[nx + w * ny];
                        if (o != label && o != 0) set.add(o);
                    }
            }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }
}
