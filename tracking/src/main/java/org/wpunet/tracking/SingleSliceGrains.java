package org.wpunet.tracking;

import java.util.Arrays;

/**
 * The original's single-slice-grain fix ({@code _justify_last_labeled(prev, cur, next)}): an id of
 * slice {@code cur} that occurs in neither {@code prev} nor {@code next} names a grain seen in one slice
 * only; it is given the id that covers most of its pixels in {@code prev} (the lowest id on ties), or
 * the one covering most of them in {@code next} when that count is strictly larger. Only {@code cur} is
 * rewritten. Every pixel of a neighbour carries an id, so every such grain is merged.
 */
public final class SingleSliceGrains {
    private SingleSliceGrains() {}

    /**
     * Rewrites {@code cur} in place; {@code prev} and {@code next} are the slices above and below (all
     * three the same length, ids positive). Returns the number of grains merged.
     */
    public static int merge(int[] prev, int[] cur, int[] next) {
        if (prev.length != cur.length || next.length != cur.length)
            throw new IllegalArgumentException("slices differ in size: " + prev.length + ", " + cur.length + ", " + next.length);
        int max = 0;
        for (int v : cur) max = Math.max(max, v);
        boolean[] elsewhere = new boolean[max + 1];
        for (int v : prev) if (v <= max) elsewhere[v] = true;
        for (int v : next) if (v <= max) elsewhere[v] = true;
        boolean[] single = new boolean[max + 1];
        boolean any = false;
        for (int v : cur) if (!elsewhere[v] && !single[v]) { single[v] = true; any = true; }
        if (!any) return 0;
        // pixels of each single-slice grain, then the most frequent id under them in prev and next
        int[] target = new int[max + 1];
        int merged = 0;
        int[][] pix = pixelsOf(cur, single, max);
        for (int id = 1; id <= max; id++) {
            if (!single[id]) continue;
            long[] p = mostFrequent(prev, pix[id]), q = mostFrequent(next, pix[id]);
            target[id] = q[1] > p[1] ? (int) q[0] : (int) p[0];
            merged++;
        }
        for (int i = 0; i < cur.length; i++) if (single[cur[i]]) cur[i] = target[cur[i]];
        return merged;
    }

    private static int[][] pixelsOf(int[] cur, boolean[] single, int max) {
        int[] n = new int[max + 1];
        for (int v : cur) if (single[v]) n[v]++;
        int[][] pix = new int[max + 1][];
        for (int id = 1; id <= max; id++) if (single[id]) pix[id] = new int[n[id]];
        Arrays.fill(n, 0);
        for (int i = 0; i < cur.length; i++) { int v = cur[i]; if (single[v]) pix[v][n[v]++] = i; }
        return pix;
    }

    /** {id, count} of the most frequent value of {@code slice} at {@code pixels}; lowest id on ties. */
    private static long[] mostFrequent(int[] slice, int[] pixels) {
        int[] v = new int[pixels.length];
        for (int k = 0; k < pixels.length; k++) v[k] = slice[pixels[k]];
        Arrays.sort(v);
        long bestId = 0, bestCount = 0;
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j < v.length && v[j] == v[i]) j++;
            if (j - i > bestCount) { bestCount = j - i; bestId = v[i]; }
            i = j;
        }
        return new long[] {bestId, bestCount};
    }
}
