package org.wpunet.cuda;

import org.wpunet.core.Layout;

/** Pure launch arithmetic: grid sizes and the by-value layout struct of the kernels (common.cuh's Lay). */
final class Launch {
    static final int THREADS = 256;
    static final int MAX_RANK = 8;
    /** Ints in struct Lay: rank, offset, shape[8], stride[8]. */
    static final int LAY_INTS = 2 + 2 * MAX_RANK;

    private Launch() {}

    /**
     * Blocks for a grid-stride loop over n elements: ceil(n / threads), capped at maxBlocks (the
     * kernels loop over the rest). 0 for n = 0 (nothing to launch).
     */
    static int blocks(long n, int threads, int maxBlocks) {
        if (n <= 0) return 0;
        long b = (n + threads - 1) / threads;
        return (int) Math.min(b, maxBlocks);
    }

    /**
     * Packs a layout into struct Lay after {@link #coalesce} (fewer dims = fewer divisions per element
     * in lay_offset); a rank still above 8 is refused with the op named.
     */
    static int[] lay(Layout l, String op) {
        int[][] ss = coalesce(l.shape(), l.strides());
        int[] shape = ss[0], strides = ss[1];
        int r = shape.length;
        if (r > MAX_RANK) {
            throw new IllegalArgumentException(op + " on cuda supports tensors of rank <= " + MAX_RANK + ", got rank " + r);
        }
        int[] s = new int[LAY_INTS];
        s[0] = r;
        s[1] = l.offset();
        for (int d = 0; d < r; d++) {
            s[2 + d] = shape[d];
            s[2 + MAX_RANK + d] = strides[d];
        }
        return s;
    }

    /**
     * Drops size-1 dims and merges neighbours d, d+1 with stride[d] == stride[d+1] * shape[d+1]. The
     * row-major element order, and so the offset of every linear index, is unchanged; each operand of an
     * elementwise kernel may be coalesced on its own. Layouts with a zero-size dim are left alone.
     */
    static int[][] coalesce(int[] shape, int[] strides) {
        for (int v : shape) if (v == 0) return new int[][]{shape, strides};
        int[] sh = new int[shape.length], st = new int[shape.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (r > 0 && st[r - 1] == strides[d] * shape[d]) {
                sh[r - 1] *= shape[d];
                st[r - 1] = strides[d];
            } else {
                sh[r] = shape[d];
                st[r++] = strides[d];
            }
        }
        return new int[][]{java.util.Arrays.copyOf(sh, r), java.util.Arrays.copyOf(st, r)};
    }

    /**
     * Chunks per output for a two-pass sum: 1 when there are already enough outputs to fill the device
     * or the reduction is short, else enough chunks of about {@code chunkInner} elements to give the
     * device ~maxBlocks blocks. Depends only on the shapes, so the summation order is fixed.
     */
    static int reduceChunks(int outN, int inner, int chunkInner, int maxBlocks) {
        if (inner <= chunkInner || outN >= maxBlocks / 4) return 1;
        int byLength = (inner + chunkInner - 1) / chunkInner;
        int byDevice = Math.max(1, maxBlocks / outN);
        return Math.max(2, Math.min(byLength, byDevice));
    }

    /** Row-major contiguous strides (NCHW for 4-D shapes). */
    static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = acc;
            acc *= shape[d];
        }
        return st;
    }

    /** Splits a layout into kept dims (with the offset) and reduced dims (offset 0), for wp_reduce. */
    static Layout[] splitReduce(Layout l, int[] dims) {
        int rank = l.rank();
        boolean[] red = new boolean[rank];
        for (int d : dims) red[d] = true;
        int[] shape = l.shape(), strides = l.strides();
        int nk = rank - dims.length;
        int[] ks = new int[nk], kst = new int[nk], rs = new int[dims.length], rst = new int[dims.length];
        for (int i = 0, a = 0, b = 0; i < rank; i++) {
            if (red[i]) { rs[b] = shape[i]; rst[b++] = strides[i]; } else { ks[a] = shape[i]; kst[a++] = strides[i]; }
        }
        return new Layout[]{new Layout(ks, kst, l.offset()), new Layout(rs, rst, 0)};
    }
}
