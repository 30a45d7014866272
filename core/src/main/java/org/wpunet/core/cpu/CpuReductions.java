package org.wpunet.core.cpu;

import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.ReduceOp;

/**
 * Reductions and softmax on the CPU. Sums accumulate in double. A reduction to few outputs is
 * split into a fixed number of parts (not one per thread), so results do not depend on the thread
 * count.
 */
final class CpuReductions {
    private static final int PARTS = 16;

    private CpuReductions() {}

    static CpuStorage reduce(ReduceOp op, CpuStorage s, Layout l, int[] dims, DType outType) {
        int rank = l.rank();
        boolean[] red = new boolean[rank];
        for (int d : dims) red[d] = true;
        int[] shape = l.shape(), strides = l.strides();
        int nk = rank - dims.length;
        int[] kShape = new int[nk], kStride = new int[nk], rShape = new int[dims.length], rStride = new int[dims.length];
        for (int i = 0, a = 0, b = 0; i < rank; i++) {
            if (red[i]) { rShape[b] = shape[i]; rStride[b++] = strides[i]; }
            else { kShape[a] = shape[i]; kStride[a++] = strides[i]; }
        }
        int outN = 1;
        for (int v : kShape) outN *= v;
        long innerL = 1;
        for (int v : rShape) innerL *= v;
        int inner = (int) innerL;
        CpuStorage out = CpuStorage.allocate(outType, outN);
        final int[] fkShape = kShape, fkStride = kStride;
        Inner it = new Inner(rShape, rStride);
        if (outN >= 8 || inner < 65536) {
            Parallel.forRange(outN, Math.max(1, 16384 / Math.max(1, inner)), (from, to) -> {
                for (int o = from; o < to; o++) {
                    int base = l.offset() + offsetOf(o, fkShape, fkStride);
                    double[] acc = accumulate(op, s, base, it, 0, inner);
                    store(op, out, o, acc);
                }
            });
        } else {
            // few outputs, long inner: fixed parts, combined in order
            for (int o = 0; o < outN; o++) {
                int base = l.offset() + offsetOf(o, fkShape, fkStride);
                double[][] parts = new double[PARTS][];
                Parallel.forParts(PARTS, PARTS, (from, to) -> {
                    for (int p = from; p < to; p++) {
                        int a = (int) ((long) inner * p / PARTS), b = (int) ((long) inner * (p + 1) / PARTS);
                        parts[p] = accumulate(op, s, base, it, a, b);
                    }
                });
                double[] acc = parts[0];
                for (int p = 1; p < PARTS; p++) acc = combine(op, acc, parts[p]);
                store(op, out, o, acc);
            }
        }
        return out;
    }

    private static int offsetOf(int linear, int[] shape, int[] strides) {
        int o = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            int i = linear % shape[d];
            linear /= shape[d];
            o += i * strides[d];
        }
        return o;
    }

    /** The reduced sub-space: offsets of its elements in row-major order. */
    private record Inner(int[] shape, int[] strides) {
        int offset(int j) { return offsetOf(j, shape, strides); }
    }

    /** {value, index} over inner elements [from, to); empty ranges give the op's identity. */
    private static double[] accumulate(ReduceOp op, CpuStorage s, int base, Inner it, int from, int to) {
        boolean simple = it.shape().length == 1;
        int st = simple ? it.strides()[0] : 0;
        switch (op) {
            case SUM, SUM_SQUARES -> {
                boolean sq = op == ReduceOp.SUM_SQUARES;
                double acc = 0;
                if (simple && s.dtype() == DType.F32) {
                    float[] a = s.f32();
                    // four partial sums: exact enough in double and breaks the add dependency chain
                    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    int j = from;
                    if (sq) {
                        for (; j + 3 < to; j += 4) {
                            double v0 = a[base + j * st], v1 = a[base + (j + 1) * st];
                            double v2 = a[base + (j + 2) * st], v3 = a[base + (j + 3) * st];
                            a0 += v0 * v0;
                            a1 += v1 * v1;
                            a2 += v2 * v2;
                            a3 += v3 * v3;
                        }
                        for (; j < to; j++) { double v = a[base + j * st]; a0 += v * v; }
                    } else {
                        for (; j + 3 < to; j += 4) {
                            a0 += a[base + j * st];
                            a1 += a[base + (j + 1) * st];
                            a2 += a[base + (j + 2) * st];
                            a3 += a[base + (j + 3) * st];
                        }
                        for (; j < to; j++) a0 += a[base + j * st];
                    }
                    acc = (a0 + a1) + (a2 + a3);
                } else {
                    for (int j = from; j < to; j++) {
                        double v = s.get(base + (simple ? j * st : it.offset(j)));
                        acc += sq ? v * v : v;
                    }
                }
                return new double[]{acc, -1};
            }
            default -> {
                boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
                double best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                int bestIdx = -1;
                for (int j = from; j < to; j++) {
                    double v = s.get(base + (simple ? j * st : it.offset(j)));
                    if (v != v) return new double[]{v, j}; // NaN wins, first occurrence
                    if (bestIdx < 0 || (max ? v > best : v < best)) {
                        best = v;
                        bestIdx = j;
                    }
                }
                return new double[]{best, bestIdx};
            }
        }
    }

    private static double[] combine(ReduceOp op, double[] a, double[] b) {
        if (op == ReduceOp.SUM || op == ReduceOp.SUM_SQUARES) return new double[]{a[0] + b[0], -1};
        if (a[1] < 0) return b;
        if (b[1] < 0) return a;
        if (a[0] != a[0]) return a;
        if (b[0] != b[0]) return b;
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        return (max ? b[0] > a[0] : b[0] < a[0]) ? b : a;
    }

    private static void store(ReduceOp op, CpuStorage out, int o, double[] acc) {
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) out.set(o, acc[1]);
        else out.set(o, acc[0]);
    }

    /** Softmax over dim of a compact tensor viewed as [outer, n, inner]. */
    static CpuStorage softmax(CpuStorage s, int[] shape, int dim, boolean log) {
        int outer = 1, inner = 1, n = shape[dim];
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        int total = outer * n * inner;
        CpuStorage out = CpuStorage.allocate(s.dtype(), total);
        final int fInner = inner;
        int rows = outer * inner;
        if (s.dtype() == DType.F32) {
            float[] x = s.f32(), y = out.f32();
            Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, n)), (from, to) -> {
                for (int r = from; r < to; r++) {
                    int base = (r / fInner) * n * fInner + r % fInner;
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) m = Math.max(m, x[base + j * fInner]);
                    double sum = 0;
                    for (int j = 0; j < n; j++) sum += Math.exp(x[base + j * fInner] - m);
                    if (log) {
                        double lse = m + Math.log(sum);
                        for (int j = 0; j < n; j++) y[base + j * fInner] = (float) (x[base + j * fInner] - lse);
                    } else {
                        double inv = 1.0 / sum;
                        for (int j = 0; j < n; j++) y[base + j * fInner] = (float) (Math.exp(x[base + j * fInner] - m) * inv);
                    }
                }
            });
        } else {
            Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, n)), (from, to) -> {
                for (int r = from; r < to; r++) {
                    int base = (r / fInner) * n * fInner + r % fInner;
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) m = Math.max(m, s.get(base + j * fInner));
                    double sum = 0;
                    for (int j = 0; j < n; j++) sum += Math.exp(s.get(base + j * fInner) - m);
                    double lse = m + Math.log(sum);
                    for (int j = 0; j < n; j++) {
                        double v = s.get(base + j * fInner);
                        out.set(base + j * fInner, log ? v - lse : Math.exp(v - lse));
                    }
                }
            });
        }
        return out;
    }
}
