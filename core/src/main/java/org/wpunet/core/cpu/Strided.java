package org.wpunet.core.cpu;

import org.wpunet.core.Layout;
import org.wpunet.core.Shapes;

/**
 * Iteration over strided layouts of one shape, one innermost row at a time. Adjacent dims that are
 * contiguous for every operand are merged first so rows are as long as possible. Rows are split
 * across the thread pool in fixed contiguous ranges.
 */
final class Strided {
    /** One row: element offsets of each operand at the row start, their strides, and the row length. */
    @FunctionalInterface
    interface Row {
        void run(int[] off, int[] stride, int len);
    }

    private Strided() {}

    /** Runs {@code body} over every row of {@code shape} for the given operand layouts (same shape). */
    static void rows(int[] shape, Layout[] ls, Row body) {
        int k = ls.length;
        int rank = shape.length;
        // collect strides per operand
        int[][] st = new int[k][];
        for (int i = 0; i < k; i++) st[i] = ls[i].strides();
        // merge dims: drop size-1 dims, then merge i into i+1 when contiguous for all operands
        int[] sh = new int[Math.max(rank, 1)];
        int[][] ss = new int[k][Math.max(rank, 1)];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) continue;
            if (r > 0) {
                boolean merge = true;
                for (int i = 0; i < k; i++) if (ss[i][r - 1] != st[i][d] * shape[d]) { merge = false; break; }
                if (merge) {
                    sh[r - 1] *= shape[d];
                    for (int i = 0; i < k; i++) ss[i][r - 1] = st[i][d];
                    continue;
                }
            }
            sh[r] = shape[d];
            for (int i = 0; i < k; i++) ss[i][r] = st[i][d];
            r++;
        }
        if (r == 0) { // scalar or all size-1
            sh[0] = 1;
            r = 1;
            for (int i = 0; i < k; i++) ss[i][0] = 1;
        }
        int n = Shapes.numel(shape);
        if (n == 0) return;
        final int rr = r;
        final int len = sh[r - 1];
        final int rowsCount = n / len;
        final int[] base = new int[k];
        for (int i = 0; i < k; i++) base[i] = ls[i].offset();
        final int[] rowStride = new int[k];
        for (int i = 0; i < k; i++) rowStride[i] = ss[i][r - 1];
        int grain = Math.max(1, 32768 / Math.max(1, len));
        Parallel.forRange(rowsCount, grain, (from, to) -> {
            int[] idx = new int[rr];
            int[] off = new int[k];
            // multi-index of row `from` over the outer rr-1 dims
            int rem = from;
            for (int d = rr - 2; d >= 0; d--) {
                idx[d] = rem % sh[d];
                rem /= sh[d];
            }
            for (int i = 0; i < k; i++) {
                int o = base[i];
                for (int d = 0; d < rr - 1; d++) o += idx[d] * ss[i][d];
                off[i] = o;
            }
            int[] cur = off.clone();
            for (int row = from; row < to; row++) {
                body.run(cur, rowStride, len);
                // increment outer multi-index
                for (int d = rr - 2; d >= 0; d--) {
                    if (++idx[d] < sh[d]) {
                        for (int i = 0; i < k; i++) cur[i] += ss[i][d];
                        break;
                    }
                    idx[d] = 0;
                    for (int i = 0; i < k; i++) cur[i] -= ss[i][d] * (sh[d] - 1);
                }
            }
        });
    }
}
