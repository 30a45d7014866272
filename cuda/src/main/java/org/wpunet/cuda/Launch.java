package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import org.wpunet.core.Layout;

/** Pure launch arithmetic: grid sizes and the by-value layout struct of the kernels (common.cuh's Lay). */
final class Launch {
    /** Threads per block; also WP_RED_THREADS of reduce.cu (the shared arrays of the one-block-per-row kernels). */
    static final int THREADS = 256;
    /** WP_MAX_RANK of common.cuh. */
    static final int MAX_RANK = 8;
    /**
     * common.cuh's {@code struct Lay { int rank; int offset; int shape[WP_MAX_RANK]; int stride[WP_MAX_RANK]; }}:
     * 18 ints, 72 bytes, 4-byte aligned, no padding; passed by value, it is the PTX parameter
     * {@code .param .align 4 .b8 name[72]}, which cuLaunchKernel fills from the int[] of {@link #lay}.
     */
    static final StructLayout LAY = MemoryLayout.structLayout(
            JAVA_INT.withName("rank"),
            JAVA_INT.withName("offset"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_INT).withName("shape"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_INT).withName("stride"));
    /** Ints in struct Lay: rank, offset, shape[8], stride[8]. */
    static final int LAY_INTS = (int) (LAY.byteSize() / Integer.BYTES);

    /** Int indices of the fields of struct Lay in the packed array. */
    static final int LAY_RANK = index("rank"), LAY_OFFSET = index("offset"), LAY_SHAPE = index("shape"),
            LAY_STRIDE = index("stride");

    private static int index(String field) {
        return (int) (LAY.byteOffset(MemoryLayout.PathElement.groupElement(field)) / Integer.BYTES);
    }

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
        return pack(ss[0], ss[1], l.offset(), op);
    }

    /**
     * Packs a layout into struct Lay dim for dim, without coalescing: for kernels that index
     * {@code shape[dim]} / {@code stride[dim]} by dim number or walk one layout's dims with another's
     * strides (index_select, gather, scatter_add), where coalescing would renumber the dims.
     */
    static int[] layExact(Layout l, String op) {
        return pack(l.shape(), l.strides(), l.offset(), op);
    }

    private static int[] pack(int[] shape, int[] strides, int offset, String op) {
        int r = shape.length;
        if (r > MAX_RANK) {
            throw new IllegalArgumentException(op + " on cuda supports tensors of rank <= " + MAX_RANK + ", got rank " + r);
        }
        int[] s = new int[LAY_INTS];
        s[LAY_RANK] = r;
        s[LAY_OFFSET] = offset;
        for (int d = 0; d < r; d++) {
            s[LAY_SHAPE + d] = shape[d];
            s[LAY_STRIDE + d] = strides[d];
        }
        return s;
    }

    /**
     * Whether a packed struct Lay is dense: rank 0 (one element) or rank 1 with stride 1, so element i
     * of the view is at offset + i. A contiguous view, however many dims it had, coalesces to this.
     */
    static boolean isDense(int[] packed) {
        int r = packed[LAY_RANK];
        return r == 0 || (r == 1 && packed[LAY_STRIDE] == 1);
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
