package org.wpunet.core;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and backends. Errors name the shapes and dims involved. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements; throws on negative sizes or more than Integer.MAX_VALUE elements. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + str(shape));
            n *= s;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /** Row-major (C order) strides for a shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** Normalises a possibly negative dim against a rank; names the valid range when out of it. */
    public static int dim(int d, int rank) {
        int r = d < 0 ? d + rank : d;
        if (r < 0 || r >= rank) {
            throw new IllegalArgumentException("dim " + d + " out of range for a tensor of rank " + rank
                    + " (valid: " + (-rank) + ".." + (rank - 1) + ")");
        }
        return r;
    }

    /** NumPy broadcasting of two shapes (align right; a size-1 dim stretches). */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Sorted, de-duplicated, normalised dims; an empty argument means all dims. */
    public static int[] dims(int[] dims, int rank) {
        if (dims == null || dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int d : dims) {
            int r = dim(d, rank);
            if (seen[r]) throw new IllegalArgumentException("dim " + d + " given twice in " + Arrays.toString(dims));
            seen[r] = true;
        }
        int[] out = new int[dims.length];
        int k = 0;
        for (int i = 0; i < rank; i++) if (seen[i]) out[k++] = i;
        return out;
    }

    public static String str(int[] shape) { return Arrays.toString(shape); }
}
