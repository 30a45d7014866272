package org.wpunet.metrics;

import java.util.Arrays;

/**
 * Sparse contingency table of two labelings of the same N elements: n_ij = number of elements with
 * label i in the first and label j in the second labeling. Only non-zero cells are stored (as
 * parallel arrays {@link #rowLabel}, {@link #colLabel}, {@link #count}); row and column sums are
 * available per cell. Labels are arbitrary ints (0 included; callers decide whether 0 is ignored).
 */
public final class Contingency {
    /** Number of elements counted. */
    public final long total;
    /** Non-zero cells: labels in the first (row) and second (column) labeling, and counts. */
    public final int[] rowLabel, colLabel;
    public final long[] count;
    /** Per cell: the row sum of its row label and the column sum of its column label. */
    public final long[] rowSum, colSum;

    private Contingency(long total, int[] r, int[] c, long[] n, long[] rs, long[] cs) {
        this.total = total; rowLabel = r; colLabel = c; count = n; rowSum = rs; colSum = cs;
    }

    /** Number of non-zero cells. */
    public int cells() { return count.length; }

    /**
     * Table of {@code a} (rows) against {@code b} (columns). With {@code ignoreZero}, elements whose
     * label is 0 in either labeling are left out.
     */
    public static Contingency of(int[] a, int[] b, boolean ignoreZero) {
        if (a.length != b.length)
            throw new IllegalArgumentException("labelings differ in size: " + a.length + " vs " + b.length);
        LongCounter cells = new LongCounter(1024);
        long total = 0;
        long prevKey = 0;
        int prevSlot = -1;
        for (int i = 0; i < a.length; i++) {
            int x = a[i], y = b[i];
            if (ignoreZero && (x == 0 || y == 0)) continue;
            long key = ((long) x << 32) | (y & 0xFFFFFFFFL);
            total++;
            if (prevSlot >= 0 && key == prevKey) { cells.counts[prevSlot]++; continue; } // runs are common
            prevSlot = cells.add(key);
            prevKey = key;
        }
        int n = cells.size;
        int[] r = new int[n], c = new int[n];
        long[] cnt = new long[n];
        int k = 0;
        for (int s = 0; s < cells.keys.length; s++)
            if (cells.used[s]) {
                r[k] = (int) (cells.keys[s] >> 32);
                c[k] = (int) cells.keys[s];
                cnt[k] = cells.counts[s];
                k++;
            }
        long[] rs = sums(r, cnt), cs = sums(c, cnt);
        return new Contingency(total, r, c, cnt, rs, cs);
    }

    /** For each cell, the sum of counts over all cells sharing its label. */
    private static long[] sums(int[] labels, long[] cnt) {
        int n = labels.length;
        long[] keyed = new long[n];
        // sort cell indices by label: pack (label, index) into a long for a primitive sort
        for (int i = 0; i < n; i++) keyed[i] = ((long) labels[i] << 32) | i;
        Arrays.sort(keyed);
        long[] out = new long[n];
        int i = 0;
        while (i < n) {
            int j = i;
            long s = 0;
            while (j < n && (keyed[j] >> 32) == (keyed[i] >> 32)) s += cnt[(int) keyed[j++]];
            for (int k = i; k < j; k++) out[(int) keyed[k]] = s;
            i = j;
        }
        return out;
    }

    /** Open-addressing long -> count map. */
    private static final class LongCounter {
        long[] keys;
        long[] counts;
        boolean[] used;
        int size, mask;

        LongCounter(int cap) {
            keys = new long[cap]; counts = new long[cap]; used = new boolean[cap]; mask = cap - 1;
        }

        /** Increments the count of {@code key}; returns its slot. */
        int add(long key) {
            int s = slot(key);
            if (!used[s]) {
                if ((size + 1) * 2 > keys.length) { grow(); s = slot(key); }
                used[s] = true; keys[s] = key; size++;
            }
            counts[s]++;
            return s;
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            int s = (int) (h >>> 40) & mask;
            while (used[s] && keys[s] != key) s = (s + 1) & mask;
            return s;
        }

        private void grow() {
            long[] ok = keys, oc = counts;
            boolean[] ou = used;
            keys = new long[ok.length * 2]; counts = new long[ok.length * 2]; used = new boolean[ok.length * 2];
            mask = keys.length - 1;
            for (int i = 0; i < ok.length; i++)
                if (ou[i]) { int s = slot(ok[i]); used[s] = true; keys[s] = ok[i]; counts[s] = oc[i]; }
        }
    }
}
