package org.wpunet.core.cpu;

import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.UnaryOp;

/**
 * Elementwise kernels over strided layouts. F32 in and out takes float loops with the op switch
 * outside the loop (the JIT vectorises them); every other dtype mix goes through doubles.
 */
final class CpuElementwise {
    private CpuElementwise() {}

    static CpuStorage unary(UnaryOp op, CpuStorage s, Layout l, DType outType) {
        int[] shape = l.shape();
        CpuStorage out = CpuStorage.allocate(outType, l.numel());
        Layout ol = Layout.contiguous(shape);
        if (s.dtype() == DType.F32 && outType == DType.F32) {
            float[] a = s.f32(), o = out.f32();
            Strided.rows(shape, new Layout[]{ol, l}, (off, st, len) -> unaryF32(op, a, off[1], st[1], o, off[0], len));
        } else {
            Strided.rows(shape, new Layout[]{ol, l}, (off, st, len) -> {
                for (int j = 0; j < len; j++) out.set(off[0] + j, op.apply(s.get(off[1] + j * st[1])));
            });
        }
        return out;
    }

    private static void unaryF32(UnaryOp op, float[] a, int ia, int sa, float[] o, int io, int len) {
        switch (op) {
            case NEG -> { for (int j = 0; j < len; j++) o[io + j] = -a[ia + j * sa]; }
            case ABS -> { for (int j = 0; j < len; j++) o[io + j] = Math.abs(a[ia + j * sa]); }
            case EXP -> { for (int j = 0; j < len; j++) o[io + j] = (float) Math.exp(a[ia + j * sa]); }
            case LOG -> { for (int j = 0; j < len; j++) o[io + j] = (float) Math.log(a[ia + j * sa]); }
            case SQRT -> { for (int j = 0; j < len; j++) o[io + j] = (float) Math.sqrt(a[ia + j * sa]); }
            case RELU -> {
                for (int j = 0; j < len; j++) {
                    float v = a[ia + j * sa];
                    o[io + j] = v > 0 || v != v ? v : 0f;
                }
            }
            case SIGMOID -> {
                for (int j = 0; j < len; j++) {
                    float v = a[ia + j * sa];
                    o[io + j] = v >= 0 ? (float) (1.0 / (1.0 + Math.exp(-v))) : (float) (Math.exp(v) / (1.0 + Math.exp(v)));
                }
            }
            case TANH -> { for (int j = 0; j < len; j++) o[io + j] = (float) Math.tanh(a[ia + j * sa]); }
            case SIGN -> { for (int j = 0; j < len; j++) o[io + j] = Math.signum(a[ia + j * sa]); }
            case SQUARE -> { for (int j = 0; j < len; j++) { float v = a[ia + j * sa]; o[io + j] = v * v; } }
            case RECIPROCAL -> { for (int j = 0; j < len; j++) o[io + j] = 1f / a[ia + j * sa]; }
        }
    }

    static CpuStorage binary(BinaryOp op, CpuStorage a, Layout la, CpuStorage b, Layout lb, DType outType) {
        int[] shape = la.shape();
        CpuStorage out = CpuStorage.allocate(outType, la.numel());
        Layout ol = Layout.contiguous(shape);
        Layout[] ls = {ol, la, lb};
        if (a.dtype() == DType.F32 && b.dtype() == DType.F32 && outType == DType.F32) {
            float[] x = a.f32(), y = b.f32(), o = out.f32();
            Strided.rows(shape, ls, (off, st, len) -> binaryF32(op, x, off[1], st[1], y, off[2], st[2], o, off[0], len));
        } else if (a.dtype() == DType.F32 && b.dtype() == DType.F32 && outType == DType.U8) {
            float[] x = a.f32(), y = b.f32();
            byte[] o = out.u8();
            Strided.rows(shape, ls, (off, st, len) -> {
                for (int j = 0; j < len; j++) o[off[0] + j] = (byte) op.apply(x[off[1] + j * st[1]], y[off[2] + j * st[2]]);
            });
        } else {
            Strided.rows(shape, ls, (off, st, len) -> {
                for (int j = 0; j < len; j++) {
                    out.set(off[0] + j, op.apply(a.get(off[1] + j * st[1]), b.get(off[2] + j * st[2])));
                }
            });
        }
        return out;
    }

    private static void binaryF32(BinaryOp op, float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int len) {
        switch (op) {
            case ADD -> { for (int j = 0; j < len; j++) o[io + j] = x[ix + j * sx] + y[iy + j * sy]; }
            case SUB -> { for (int j = 0; j < len; j++) o[io + j] = x[ix + j * sx] - y[iy + j * sy]; }
            case MUL -> { for (int j = 0; j < len; j++) o[io + j] = x[ix + j * sx] * y[iy + j * sy]; }
            case DIV -> { for (int j = 0; j < len; j++) o[io + j] = x[ix + j * sx] / y[iy + j * sy]; }
            case POW -> { for (int j = 0; j < len; j++) o[io + j] = (float) Math.pow(x[ix + j * sx], y[iy + j * sy]); }
            default -> { for (int j = 0; j < len; j++) o[io + j] = (float) op.apply(x[ix + j * sx], y[iy + j * sy]); }
        }
    }

    static CpuStorage binaryScalar(BinaryOp op, CpuStorage s, Layout l, double c, boolean scalarFirst, DType outType) {
        int[] shape = l.shape();
        CpuStorage out = CpuStorage.allocate(outType, l.numel());
        Layout ol = Layout.contiguous(shape);
        if (s.dtype() == DType.F32 && outType == DType.F32 && !scalarFirst && op.ordinal() <= BinaryOp.DIV.ordinal()) {
            float[] a = s.f32(), o = out.f32();
            float f = (float) c;
            Strided.rows(shape, new Layout[]{ol, l}, (off, st, len) -> {
                int ia = off[1], sa = st[1], io = off[0];
                switch (op) {
                    case ADD -> { for (int j = 0; j < len; j++) o[io + j] = a[ia + j * sa] + f; }
                    case SUB -> { for (int j = 0; j < len; j++) o[io + j] = a[ia + j * sa] - f; }
                    case MUL -> { for (int j = 0; j < len; j++) o[io + j] = a[ia + j * sa] * f; }
                    default -> { for (int j = 0; j < len; j++) o[io + j] = a[ia + j * sa] / f; }
                }
            });
        } else {
            Strided.rows(shape, new Layout[]{ol, l}, (off, st, len) -> {
                for (int j = 0; j < len; j++) {
                    double v = s.get(off[1] + j * st[1]);
                    out.set(off[0] + j, scalarFirst ? op.apply(c, v) : op.apply(v, c));
                }
            });
        }
        return out;
    }

    static CpuStorage where(CpuStorage cond, Layout lc, CpuStorage a, Layout la, CpuStorage b, Layout lb, DType outType) {
        int[] shape = la.shape();
        CpuStorage out = CpuStorage.allocate(outType, la.numel());
        Strided.rows(shape, new Layout[]{Layout.contiguous(shape), lc, la, lb}, (off, st, len) -> {
            for (int j = 0; j < len; j++) {
                boolean c = cond.get(off[1] + j * st[1]) != 0;
                out.set(off[0] + j, c ? a.get(off[2] + j * st[2]) : b.get(off[3] + j * st[3]));
            }
        });
        return out;
    }

    static CpuStorage clamp(CpuStorage s, Layout l, double lo, double hi) {
        int[] shape = l.shape();
        CpuStorage out = CpuStorage.allocate(s.dtype(), l.numel());
        if (s.dtype() == DType.F32) {
            float[] a = s.f32(), o = out.f32();
            float flo = (float) lo, fhi = (float) hi;
            Strided.rows(shape, new Layout[]{Layout.contiguous(shape), l}, (off, st, len) -> {
                for (int j = 0; j < len; j++) {
                    float v = a[off[1] + j * st[1]];
                    o[off[0] + j] = v != v ? v : Math.min(Math.max(v, flo), fhi);
                }
            });
        } else {
            Strided.rows(shape, new Layout[]{Layout.contiguous(shape), l}, (off, st, len) -> {
                for (int j = 0; j < len; j++) {
                    double v = s.get(off[1] + j * st[1]);
                    out.set(off[0] + j, v != v ? v : Math.min(Math.max(v, lo), hi));
                }
            });
        }
        return out;
    }

    /** dst[dl] = src[sl] (accumulate = false) or dst[dl] += src[sl], converting dtypes. */
    static void copyInto(CpuStorage src, Layout sl, CpuStorage dst, Layout dl, boolean accumulate) {
        int[] shape = dl.shape();
        if (src.dtype() == DType.F32 && dst.dtype() == DType.F32) {
            float[] a = src.f32(), o = dst.f32();
            Strided.rows(shape, new Layout[]{dl, sl}, (off, st, len) -> {
                int io = off[0], so = st[0], ia = off[1], sa = st[1];
                if (accumulate) for (int j = 0; j < len; j++) o[io + j * so] += a[ia + j * sa];
                else if (so == 1 && sa == 1) System.arraycopy(a, ia, o, io, len);
                else for (int j = 0; j < len; j++) o[io + j * so] = a[ia + j * sa];
            });
        } else if (src.dtype() == dst.dtype() && !accumulate && dst.dtype() != DType.F64) {
            Object a = src.data(), o = dst.data();
            Strided.rows(shape, new Layout[]{dl, sl}, (off, st, len) -> {
                if (st[0] == 1 && st[1] == 1) System.arraycopy(a, off[1], o, off[0], len);
                else for (int j = 0; j < len; j++) dst.set(off[0] + j * st[0], src.get(off[1] + j * st[1]));
            });
        } else {
            Strided.rows(shape, new Layout[]{dl, sl}, (off, st, len) -> {
                for (int j = 0; j < len; j++) {
                    int io = off[0] + j * st[0];
                    double v = src.get(off[1] + j * st[1]);
                    dst.set(io, accumulate ? dst.get(io) + v : v);
                }
            });
        }
    }
}
