package org.wpunet.core.cpu;

import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.Shapes;

/** index_select, gather and scatter_add on the CPU. Index values are checked against the dim size. */
final class CpuIndexing {
    private CpuIndexing() {}

    private static int checked(int v, int size, String op) {
        if (v < 0 || v >= size) throw new IndexOutOfBoundsException(op + ": index " + v + " out of range for size " + size);
        return v;
    }

    static CpuStorage indexSelect(CpuStorage s, Layout l, int dim, CpuStorage index, int len) {
        int[] shape = l.shape();
        int size = shape[dim];
        int[] idx = index.i32();
        for (int i = 0; i < len; i++) checked(idx[i], size, "index_select");
        int[] out = shape.clone();
        out[dim] = len;
        CpuStorage o = CpuStorage.allocate(s.dtype(), Shapes.numel(out));
        Layout ol = Layout.contiguous(out);
        // For each selected entry, copy the slice l.narrow(dim, idx[i], 1) into ol.narrow(dim, i, 1).
        for (int i = 0; i < len; i++) {
            CpuElementwise.copyInto(s, l.narrow(dim, idx[i], 1), o, ol.narrow(dim, i, 1), false);
        }
        return o;
    }

    /** Walks every element of the index layout, giving its row-major position and multi-index offset. */
    private interface Visit {
        void at(int linear, int[] multi);
    }

    private static void each(int[] shape, Visit v) {
        int n = Shapes.numel(shape);
        int[] m = new int[shape.length];
        for (int i = 0; i < n; i++) {
            v.at(i, m);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++m[d] < shape[d]) break;
                m[d] = 0;
            }
        }
    }

    static CpuStorage gather(CpuStorage s, Layout l, int dim, CpuStorage index, Layout li) {
        int[] ishape = li.shape();
        int size = l.shape()[dim];
        CpuStorage out = CpuStorage.allocate(s.dtype(), Shapes.numel(ishape));
        int[] st = l.strides(), ist = li.strides();
        if (s.dtype() == DType.F32 && index.dtype() == DType.I32) {
            float[] a = s.f32(), o = out.f32();
            int[] ix = index.i32();
            each(ishape, (lin, m) -> {
                int io = li.offset(), so = l.offset();
                for (int d = 0; d < m.length; d++) {
                    io += m[d] * ist[d];
                    if (d != dim) so += m[d] * st[d];
                }
                so += checked(ix[io], size, "gather") * st[dim];
                o[lin] = a[so];
            });
        } else {
            each(ishape, (lin, m) -> {
                int io = li.offset(), so = l.offset();
                for (int d = 0; d < m.length; d++) {
                    io += m[d] * ist[d];
                    if (d != dim) so += m[d] * st[d];
                }
                so += checked((int) index.get(io), size, "gather") * st[dim];
                out.set(lin, s.get(so));
            });
        }
        return out;
    }

    static CpuStorage scatterAdd(int[] shape, int dim, CpuStorage index, Layout li, CpuStorage src, Layout ls, DType dtype) {
        CpuStorage out = CpuStorage.allocate(dtype, Shapes.numel(shape));
        int[] ost = Shapes.contiguousStrides(shape);
        int[] ist = li.strides(), sst = ls.strides();
        int size = shape[dim];
        each(li.shape(), (lin, m) -> {
            int io = li.offset(), so = ls.offset(), oo = 0;
            for (int d = 0; d < m.length; d++) {
                io += m[d] * ist[d];
                so += m[d] * sst[d];
                if (d != dim) oo += m[d] * ost[d];
            }
            oo += checked((int) index.get(io), size, "scatter_add") * ost[dim];
            out.set(oo, out.get(oo) + src.get(so));
        });
        return out;
    }
}
