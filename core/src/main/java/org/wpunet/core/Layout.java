package org.wpunet.core;

import java.util.Arrays;

/**
 * Shape + strides (in elements) + offset into a storage. All view operations are pure layout
 * arithmetic: no data moves. A stride of 0 marks a broadcast (expanded) dim.
 */
public record Layout(int[] shape, int[] strides, int offset) {
    public Layout {
        shape = shape.clone();
        strides = strides.clone();
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shapes.str(shape) + " and strides "
                    + Shapes.str(strides) + " differ in rank");
        }
    }

    public static Layout contiguous(int... shape) {
        Shapes.numel(shape);
        return new Layout(shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A copy of the sizes (records expose arrays by reference; callers may modify what they get). */
    @Override
    public int[] shape() { return shape.clone(); }

    /** A copy of the strides. */
    @Override
    public int[] strides() { return strides.clone(); }

    public int rank() { return shape.length; }

    public int numel() { return Shapes.numel(shape); }

    public int size(int d) { return shape[Shapes.dim(d, shape.length)]; }

    /** True when elements are laid out in row-major order without gaps (offset may be non-zero). */
    public boolean isContiguous() {
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    /** Contiguous and starting at offset 0 (a storage that is exactly this tensor). */
    public boolean isCompact() { return offset == 0 && isContiguous(); }

    public Layout permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute of a rank-" + shape.length + " tensor "
                    + Shapes.str(shape) + " needs " + shape.length + " dims, got " + Arrays.toString(order));
        }
        int[] ns = new int[order.length], nst = new int[order.length];
        boolean[] used = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shapes.dim(order[i], shape.length);
            if (used[d]) throw new IllegalArgumentException("permute order " + Arrays.toString(order) + " repeats dim " + d);
            used[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
        }
        return new Layout(ns, nst, offset);
    }

    public Layout transpose(int d0, int d1) {
        int a = Shapes.dim(d0, shape.length), b = Shapes.dim(d1, shape.length);
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Elements [start, start+length) along dim. */
    public Layout narrow(int dim, int start, int length) {
        int d = Shapes.dim(dim, shape.length);
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IllegalArgumentException("narrow(dim=" + dim + ", start=" + start + ", length=" + length
                    + ") out of range for size " + shape[d] + " of shape " + Shapes.str(shape));
        }
        int[] ns = shape.clone();
        ns[d] = length;
        return new Layout(ns, strides.clone(), offset + (length == 0 ? 0 : start * strides[d]));
    }

    /** Every step-th element of [start, end) along dim (Python's slice start:end:step, step > 0). */
    public Layout slice(int dim, int start, int end, int step) {
        int d = Shapes.dim(dim, shape.length);
        if (step <= 0) throw new IllegalArgumentException("slice step must be > 0, got " + step);
        int n = shape[d];
        int s = Math.max(0, Math.min(n, start < 0 ? start + n : start));
        int e = Math.max(s, Math.min(n, end < 0 ? end + n : end));
        int len = (e - s + step - 1) / step;
        int[] ns = shape.clone(), nst = strides.clone();
        ns[d] = len;
        nst[d] = strides[d] * step;
        return new Layout(ns, nst, offset + (len == 0 ? 0 : s * strides[d]));
    }

    /** Broadcast view to a larger shape: size-1 dims (and new leading dims) get stride 0. */
    public Layout expand(int... target) {
        if (target.length < shape.length) {
            throw new IllegalArgumentException("cannot expand shape " + Shapes.str(shape) + " to fewer dims "
                    + Shapes.str(target));
        }
        int lead = target.length - shape.length;
        int[] nst = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < lead) {
                if (target[i] < 0) throw new IllegalArgumentException("negative size in expand target " + Shapes.str(target));
                nst[i] = 0;
                continue;
            }
            int s = shape[i - lead];
            if (s == target[i]) nst[i] = strides[i - lead];
            else if (s == 1) nst[i] = 0;
            else throw new IllegalArgumentException("cannot expand shape " + Shapes.str(shape) + " to "
                        + Shapes.str(target) + " (dim " + i + ": " + s + " is not 1)");
        }
        return new Layout(target.clone(), nst, offset);
    }

    public Layout unsqueeze(int dim) {
        int d = Shapes.dim(dim, shape.length + 1);
        int[] ns = new int[shape.length + 1], nst = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            if (i == d) {
                ns[i] = 1;
                nst[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                ns[i] = shape[j];
                nst[i] = strides[j];
                j++;
            }
        }
        return new Layout(ns, nst, offset);
    }

    /** Removes the given size-1 dims, or all size-1 dims when none are given. */
    public Layout squeeze(int... dims) {
        boolean[] drop = new boolean[shape.length];
        if (dims.length == 0) {
            for (int i = 0; i < shape.length; i++) drop[i] = shape[i] == 1;
        } else {
            for (int dd : dims) {
                int d = Shapes.dim(dd, shape.length);
                if (shape[d] != 1) {
                    throw new IllegalArgumentException("cannot squeeze dim " + dd + " of size " + shape[d]
                            + " in shape " + Shapes.str(shape));
                }
                drop[d] = true;
            }
        }
        int k = 0;
        for (boolean b : drop) if (!b) k++;
        int[] ns = new int[k], nst = new int[k];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!drop[i]) {
                ns[j] = shape[i];
                nst[j++] = strides[i];
            }
        }
        return new Layout(ns, nst, offset);
    }

    /**
     * A view with a new shape over the same elements, or null when the strides do not allow it
     * (then the caller copies). Works for contiguous layouts and for any layout whose merged dims are
     * contiguous among themselves (PyTorch's view rule).
     */
    public Layout reshapeView(int[] newShape) {
        if (isContiguous() || numel() == 0) {
            return new Layout(newShape.clone(), Shapes.contiguousStrides(newShape), offset);
        }
        // PyTorch's computeStride: walk old dims from the innermost, cutting them into chunks that
        // are contiguous among themselves; each chunk must be covered exactly by a run of new dims.
        int[] nst = new int[newShape.length];
        int viewD = newShape.length - 1;
        long chunkBase = strides[shape.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int td = shape.length - 1; td >= 0; td--) {
            tensorNumel *= shape[td];
            if (td == 0 || (shape[td - 1] != 1 && strides[td - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    nst[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (td > 0) {
                    chunkBase = strides[td - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) return null;
        return new Layout(newShape.clone(), nst, offset);
    }

    /** Storage index of the element at a multi-index. */
    public int indexOf(int... idx) {
        int o = offset;
        for (int i = 0; i < idx.length; i++) o += idx[i] * strides[i];
        return o;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && l.offset == offset && Arrays.equals(l.shape, shape) && Arrays.equals(l.strides, strides);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(shape) * 31 + Arrays.hashCode(strides) + offset; }

    @Override
    public String toString() {
        return "Layout{shape=" + Shapes.str(shape) + ", strides=" + Shapes.str(strides) + ", offset=" + offset + "}";
    }
}
