package org.wpunet.tracking;

import java.util.Arrays;
import org.wpunet.image.LabelImage;
import org.wpunet.metrics.Contingency;

/**
 * What the linkers need to know about two adjacent slices: the previous slice's distinct ids in
 * ascending order (the original's {@code np.unique(last)} / {@code regionprops(last)} order, indexed
 * 0..m-1), areas and centroids of both slices' grains, and for each current grain the previous grains
 * it overlaps with their overlap counts, in ascending previous-id order.
 */
final class SliceOverlap {
    /** Distinct previous ids, ascending. */
    final int[] prevIds;
    /** Number of current grains n (labels 1..n). */
    final int current;
    /** Areas: previous by index 0..m-1, current by label (0 unused). */
    final long[] prevArea, curArea;
    /** Centroids (row = y, col = x) as float32, regionprops' order of coordinates. */
    final float[] prevRow, prevCol, curRow, curCol;
    /** For current grain c: entries start[c]..start[c+1]-1 of {@code prevIndex}, {@code count}. */
    final int[] start, prevIndex;
    final long[] count;

    SliceOverlap(LabelImage previous, LabelImage current) {
        if (previous.width() != current.width() || previous.height() != current.height())
            throw new IllegalArgumentException("slices differ in size: " + previous.width() + "x" + previous.height() + " and "
                    + current.width() + "x" + current.height());
        int[] prev = previous.labels(), cur = current.labels();
        int w = current.width(), maxPrev = 0, n = 0;
        for (int v : prev) {
            if (v <= 0) throw new IllegalArgumentException("the previous slice has an unlabelled pixel (id " + v + ")");
            maxPrev = Math.max(maxPrev, v);
        }
        for (int v : cur) {
            if (v <= 0) throw new IllegalArgumentException("the current slice has an unlabelled pixel (label " + v + ")");
            n = Math.max(n, v);
        }
        this.current = n;
        int[] indexOf = new int[maxPrev + 1];
        Arrays.fill(indexOf, -1);
        for (int v : prev) indexOf[v] = 0;
        int m = 0;
        for (int id = 1; id <= maxPrev; id++) if (indexOf[id] == 0) indexOf[id] = m++;
        prevIds = new int[m];
        for (int id = 1; id <= maxPrev; id++) if (indexOf[id] >= 0) prevIds[indexOf[id]] = id;

        prevArea = new long[m];
        curArea = new long[n + 1];
        double[] pr = new double[m], pc = new double[m], cr = new double[n + 1], cc = new double[n + 1];
        int[] pIdx = new int[prev.length];
        for (int i = 0; i < prev.length; i++) {
            int j = indexOf[prev[i]], c = cur[i], x = i % w, y = i / w;
            pIdx[i] = j;
            prevArea[j]++; pr[j] += y; pc[j] += x;
            curArea[c]++; cr[c] += y; cc[c] += x;
        }
        prevRow = new float[m]; prevCol = new float[m]; curRow = new float[n + 1]; curCol = new float[n + 1];
        for (int j = 0; j < m; j++) { prevRow[j] = (float) (pr[j] / prevArea[j]); prevCol[j] = (float) (pc[j] / prevArea[j]); }
        for (int c = 1; c <= n; c++)
            if (curArea[c] > 0) { curRow[c] = (float) (cr[c] / curArea[c]); curCol[c] = (float) (cc[c] / curArea[c]); }

        Contingency t = Contingency.of(cur, pIdx, false);
        int cells = t.cells();
        long[] keyed = new long[cells];   // (current label, previous index) packed for one primitive sort
        for (int k = 0; k < cells; k++) keyed[k] = ((long) t.rowLabel[k] << 32) | t.colLabel[k];
        long[] counts = new long[cells];
        sortByKey(keyed, t.count, counts);
        start = new int[n + 2];
        prevIndex = new int[cells];
        count = counts;
        for (int k = 0; k < cells; k++) {
            int c = (int) (keyed[k] >>> 32);
            prevIndex[k] = (int) keyed[k];
            start[c + 1]++;
        }
        for (int c = 1; c <= n + 1; c++) start[c] += start[c - 1];
    }

    /** Sorts {@code keys} ascending and writes the matching counts into {@code sortedCounts}. */
    private static void sortByKey(long[] keys, long[] counts, long[] sortedCounts) {
        int n = keys.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        long[] k = keys.clone();
        Arrays.sort(idx, (a, b) -> Long.compare(k[a], k[b]));
        for (int i = 0; i < n; i++) { keys[i] = k[idx[i]]; sortedCounts[i] = counts[idx[i]]; }
    }

    /** Overlap of current grain c with previous index j (0 when they do not touch). */
    long overlap(int c, int j) {
        for (int k = start[c]; k < start[c + 1]; k++) if (prevIndex[k] == j) return count[k];
        return 0;
    }
}
