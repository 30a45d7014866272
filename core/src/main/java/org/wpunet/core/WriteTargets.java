package org.wpunet.core;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The checks PyTorch makes before an in-place write ({@code copy_}, {@code add_}): the destination must
 * not map two of its elements to one memory location (a broadcast, stride-0 view, or any other
 * self-overlapping layout), and a source in the same storage must not overlap the destination in
 * different positions. On the GPU such writes race (the result depends on thread timing); on the CPU
 * they accumulate in loop order; both are rejected with one message instead.
 */
final class WriteTargets {
    private WriteTargets() {}

    /** Offsets of a layout's elements in row-major order (an odometer over the shape). */
    static int[] offsets(Layout l) {
        int n = l.numel(), r = l.rank();
        int[] out = new int[n], idx = new int[r], shape = l.shape(), st = l.strides();
        int off = l.offset();
        for (int e = 0; e < n; e++) {
            out[e] = off;
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    off += st[d];
                    break;
                }
                off -= st[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
        return out;
    }

    /**
     * Whether two elements of the layout share a location. Fast path: no stride-0 dim of size > 1 and
     * each stride (in increasing order) beyond the span of the smaller ones, which proves there is none;
     * otherwise the offsets are enumerated.
     */
    static boolean overlapsItself(Layout l) {
        int[] shape = l.shape(), st = l.strides();
        int r = shape.length;
        Integer[] order = new Integer[r];
        int live = 0;
        for (int d = 0; d < r; d++) {
            if (shape[d] == 0) return false;
            if (shape[d] > 1) {
                if (st[d] == 0) return true;
                order[live++] = d;
            }
        }
        Integer[] dims = Arrays.copyOf(order, live);
        Arrays.sort(dims, (a, b) -> Integer.compare(Math.abs(st[a]), Math.abs(st[b])));
        long span = 0;
        boolean provenDisjoint = true;
        for (int d : dims) {
            if (Math.abs((long) st[d]) <= span) {
                provenDisjoint = false;
                break;
            }
            span += Math.abs((long) st[d]) * (shape[d] - 1);
        }
        if (provenDisjoint) return false;
        BitSet seen = new BitSet();
        int min = Integer.MAX_VALUE;
        int[] offs = offsets(l);
        for (int o : offs) min = Math.min(min, o);
        for (int o : offs) {
            if (seen.get(o - min)) return true;
            seen.set(o - min);
        }
        return false;
    }

    /** Rejects a destination whose elements are not all distinct locations. */
    static void checkDestination(Layout dst, String op) {
        if (overlapsItself(dst)) {
            throw new IllegalArgumentException(op + ": unsupported operation: more than one element of the written-to tensor "
                    + "refers to a single memory location (shape " + Shapes.str(dst.shape()) + ", strides "
                    + Shapes.str(dst.strides()) + "); write into a copy (contiguous()) instead");
        }
    }

    /**
     * Rejects a source in the destination's storage that reads, at some element, a location the
     * destination writes at another element: the result would depend on the order of the writes. The
     * same layout (element i read and written in place) is allowed.
     */
    static void checkNoPartialOverlap(Layout src, Layout dst, String op) {
        if (src.equals(dst)) return;
        int[] d = offsets(dst), s = offsets(src);
        if (d.length == 0) return;
        int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
        for (int o : d) {
            min = Math.min(min, o);
            max = Math.max(max, o);
        }
        int[] writer = new int[max - min + 1];
        Arrays.fill(writer, -1);
        for (int i = 0; i < d.length; i++) writer[d[i] - min] = i;
        for (int j = 0; j < s.length; j++) {
            int o = s[j] - min;
            if (o >= 0 && o < writer.length && writer[o] >= 0 && writer[o] != j) {
                throw new IllegalArgumentException(op + ": unsupported operation: some elements of the source and the "
                        + "written-to tensor refer to a single memory location (source shape " + Shapes.str(src.shape())
                        + " strides " + Shapes.str(src.strides()) + " offset " + src.offset() + ", destination strides "
                        + Shapes.str(dst.strides()) + " offset " + dst.offset() + "); clone() the source first");
            }
        }
    }
}
