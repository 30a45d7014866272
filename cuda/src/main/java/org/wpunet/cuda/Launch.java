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

    /** Packs a layout into struct Lay; rank above 8 is refused with the op named. */
    static int[] lay(Layout l, String op) {
        int r = l.rank();
        if (r > MAX_RANK) {
            throw new IllegalArgumentException(op + " on cuda supports tensors of rank <= " + MAX_RANK + ", got rank " + r);
        }
        int[] s = new int[LAY_INTS];
        s[0] = r;
        s[1] = l.offset();
        int[] shape = l.shape(), strides = l.strides();
        for (int d = 0; d < r; d++) {
            s[2 + d] = shape[d];
            s[2 + MAX_RANK + d] = strides[d];
        }
        return s;
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
