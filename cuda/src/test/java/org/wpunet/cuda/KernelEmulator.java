package org.wpunet.cuda;

import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.UnaryOp;

/**
 * A host transcription of the own kernels (src/main/cuda), run on the exact {@link KernelCall}s that
 * {@link KernelCalls} packs for the device. Values are doubles in {@link HostStorage}s; what is emulated
 * is which element each thread reads and writes (lay_offset or the contiguous fast path, the
 * dim-by-number walks of the indexing kernels, the (output, chunk) split of wp_reduce, the row
 * addressing of softmax and pooling) and, for the {@code _f32} entries, float arithmetic: every
 * +, -, *, /, sqrt is rounded to float ({@link Num#r}; exact float results, as a double op on floats
 * rounds once), exp and log are the correctly rounded float values (the device's are within 2 ulp), and
 * the block sums follow the device's thread and tree order ({@link #blockSum}). Grid-stride loops run as
 * plain loops over the element index. The fused losses and optimizers are in {@link FusedKernelEmulator}.
 */
final class KernelEmulator {
    private KernelEmulator() {}

    /** The arithmetic of a compute type: float rounding after each op for {@code _f32} kernels. */
    record Num(boolean f32) {
        double r(double v) { return f32 ? (float) v : v; }

        double exp(double v) { return r(Math.exp(v)); }

        double log(double v) { return r(Math.log(v)); }

        static Num of(KernelCall call) { return new Num(call.kernel().endsWith("_f32")); }
    }

    /** common.cuh's lay_offset: element i (row-major over shape) of a packed struct Lay. */
    static int layOffset(int[] lay, int i) {
        int o = lay[Launch.LAY_OFFSET];
        for (int d = lay[Launch.LAY_RANK] - 1; d >= 0; --d) {
            int s = lay[Launch.LAY_SHAPE + d];
            int q = i / s;
            o += (i - q * s) * lay[Launch.LAY_STRIDE + d];
            i = q;
        }
        return o;
    }

    /** elementwise.cu's at<K>: offset + i on the contiguous path, else lay_offset. */
    static int at(int[] lay, int i, boolean contiguous) {
        return contiguous ? lay[Launch.LAY_OFFSET] + i : layOffset(lay, i);
    }

    private static int rank(int[] l) { return l[Launch.LAY_RANK]; }

    private static int shape(int[] l, int d) { return l[Launch.LAY_SHAPE + d]; }

    private static int stride(int[] l, int d) { return l[Launch.LAY_STRIDE + d]; }

    /** Positional access to a call's arguments, typed as the kernel declares them. */
    record Args(List<KernelCall.Arg> a) {
        int i(int k) { return ((KernelCall.I32) a.get(k)).v(); }

        double d(int k) { return ((KernelCall.F64) a.get(k)).v(); }

        int[] lay(int k) { return ((KernelCall.Lay) a.get(k)).packed(); }

        double[] p(int k) {
            var s = ((KernelCall.Ptr) a.get(k)).storage();
            return s == null ? null : ((HostStorage) s).v;
        }

        /** common.cuh's st for the dtypes the tests use: F32 rounds to nearest, I32 truncates, F64 as is. */
        void set(int k, int index, double v) {
            HostStorage s = (HostStorage) ((KernelCall.Ptr) a.get(k)).storage();
            s.v[index] = switch (s.dtype()) {
                case F32 -> (float) v;
                case I32 -> (int) v;
                case F64 -> v;
                default -> throw new IllegalArgumentException("no emulated store to " + s.dtype());
            };
        }
    }

    /** The {flag, value, size} record of check_index. */
    static boolean checkIndex(double v, int size, double[] err) {
        if (v < 0 || v >= size) {
            if (err[0] == 0) { err[0] = 1; err[1] = v; err[2] = size; }
            return false;
        }
        return true;
    }

    /** Runs one packed call on host storages. */
    static void run(KernelCall call) {
        Args a = new Args(call.args());
        Num num = Num.of(call);
        int n = (int) call.n();
        String kernel = call.kernel().replaceFirst("_f(32|64)$", ""); // one transcription per family, Num for the type
        switch (kernel) {
            case "wp_fill" -> {
                for (int e = 0; e < a.i(3); e++) a.set(0, e, num.r(a.d(2)));
            }
            case "wp_copy" -> {
                double[] src = a.p(0), dst = a.p(3);
                boolean acc = a.i(6) != 0, k = a.i(7) != 0;
                for (int e = 0; e < a.i(8); e++) {
                    int od = at(a.lay(5), e, k);
                    double v = num.r(src[at(a.lay(2), e, k)]);
                    a.set(3, od, acc ? num.r(dst[od] + v) : v);
                }
            }
            case "wp_unary" -> {
                UnaryOp op = UnaryOp.values()[a.i(0)];
                double[] x = a.p(1);
                boolean k = a.i(6) != 0;
                for (int e = 0; e < a.i(7); e++) a.set(4, e, num.r(op.apply(x[at(a.lay(3), e, k)])));
            }
            case "wp_binary" -> {
                BinaryOp op = BinaryOp.values()[a.i(0)];
                double[] x = a.p(1), z = a.p(4);
                boolean k = a.i(9) != 0;
                for (int e = 0; e < a.i(10); e++) a.set(7, e, num.r(op.apply(x[at(a.lay(3), e, k)], z[at(a.lay(6), e, k)])));
            }
            case "wp_binary_scalar" -> {
                BinaryOp op = BinaryOp.values()[a.i(0)];
                double[] x = a.p(1);
                double c = num.r(a.d(4));
                boolean first = a.i(5) != 0, k = a.i(8) != 0;
                for (int e = 0; e < a.i(9); e++) {
                    double v = x[at(a.lay(3), e, k)];
                    a.set(6, e, num.r(first ? op.apply(c, v) : op.apply(v, c)));
                }
            }
            case "wp_where" -> {
                double[] c = a.p(0), x = a.p(3), z = a.p(6);
                boolean k = a.i(11) != 0;
                for (int e = 0; e < a.i(12); e++) {
                    a.set(9, e, c[at(a.lay(2), e, k)] != 0 ? x[at(a.lay(5), e, k)] : z[at(a.lay(8), e, k)]);
                }
            }
            case "wp_clamp" -> {
                double[] x = a.p(0);
                double lo = num.r(a.d(3)), hi = num.r(a.d(4));
                boolean k = a.i(6) != 0;
                for (int e = 0; e < a.i(7); e++) {
                    double v = x[at(a.lay(2), e, k)];
                    a.set(5, e, Double.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
                }
            }
            case "wp_reduce_rows" -> reduceRows(a, num);
            case "wp_reduce" -> reduceBlocks(a, num, n);
            case "wp_reduce_pairs" -> reducePairs(a);
            case "wp_softmax_rows", "wp_softmax" -> softmax(a, num, kernel.endsWith("rows"), n);
            case "wp_index_select" -> indexSelect(a);
            case "wp_gather" -> gather(a);
            case "wp_scatter_add" -> scatterAdd(a);
            case "wp_maxpool2d" -> maxPool(a);
            case "wp_maxpool2d_backward" -> maxPoolBackward(a, num);
            case "wp_weighted_ce" -> FusedKernelEmulator.weightedCe(a, num);
            case "wp_class_weighted_ce" -> FusedKernelEmulator.classWeightedCe(a, num);
            case "wp_sgd" -> FusedKernelEmulator.sgd(a, num);
            case "wp_rmsprop" -> FusedKernelEmulator.rmsprop(a, num);
            case "wp_adam" -> FusedKernelEmulator.adam(a, num);
            default -> throw new IllegalArgumentException("no host emulation of " + call.kernel());
        }
    }

    private static boolean isArg(int op) { return op == ReduceOp.ARGMAX.ordinal() || op == ReduceOp.ARGMIN.ordinal(); }

    private static boolean isSum(int op) { return op == ReduceOp.SUM.ordinal() || op == ReduceOp.SUM_SQUARES.ordinal(); }

    /** reduce.cu's combine for MAX/MIN/ARG*: NaN wins (first), ties keep the smaller index. */
    private static double[] combine(boolean isMax, double[] acc, double v, int j) {
        if (acc[1] < 0) return new double[]{v, j};
        boolean an = Double.isNaN(acc[0]), bn = Double.isNaN(v);
        if (an || bn) return an ? acc : new double[]{v, j};
        if (acc[0] == v) return acc;
        return (isMax ? v > acc[0] : v < acc[0]) ? new double[]{v, j} : acc;
    }

    /**
     * reduce.cu's sum of one block over elements [from, to): thread t adds elements from + t, from + t + 256,
     * ... in order, then block_sum_tree combines the 256 accumulators (a shuffle tree in each warp, lane l
     * taking lane l + off for off = 16..1, where a lane past 31 gets its own value; then the same over the 8
     * warp results in warp 0, its lanes past 7 holding warp 0's result).
     */
    static double blockSum(Num num, IntToDoubleFunction term, int from, int to) {
        int threads = Launch.THREADS, warps = threads / 32;
        double[] acc = new double[threads];
        for (int t = 0; t < threads; t++) {
            for (int j = from + t; j < to; j += threads) acc[t] = num.r(acc[t] + term.applyAsDouble(j));
        }
        double[] w = new double[32];
        for (int k = 0; k < warps; k++) w[k] = warpTree(num, java.util.Arrays.copyOfRange(acc, 32 * k, 32 * k + 32), 16);
        for (int lane = warps; lane < 32; lane++) w[lane] = w[0];
        return warpTree(num, w, warps / 2);
    }

    /** Lane 0 of a shuffle-down sum over 32 lanes with offsets first, first / 2, ..., 1. */
    private static double warpTree(Num num, double[] lanes, int first) {
        double[] v = lanes.clone();
        for (int off = first; off > 0; off >>= 1) {
            double[] next = new double[32];
            for (int l = 0; l < 32; l++) next[l] = num.r(v[l] + v[l + off < 32 ? l + off : l]);
            v = next;
        }
        return v[0];
    }

    /** The value of one element of a reduction's sum: x, or x^2 for SUM_SQUARES, in the compute type. */
    private static IntToDoubleFunction term(int op, Num num, double[] x, int base, int[] lr) {
        boolean squares = op == ReduceOp.SUM_SQUARES.ordinal();
        return j -> {
            double v = num.r(x[base + layOffset(lr, j)]);
            return squares ? num.r(v * v) : v;
        };
    }

    /**
     * MAX/MIN/ARG* over [from, to): {value, index}. combine is a total order (NaNs by index, then values,
     * ties by index), so the device's tree and this scan pick the same element.
     */
    private static double[] extreme(int op, double[] x, int base, int[] lr, int from, int to) {
        boolean isMax = op == ReduceOp.MAX.ordinal() || op == ReduceOp.ARGMAX.ordinal();
        double[] acc = {isMax ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, -1}; // empty: the identity
        for (int j = from; j < to; j++) acc = combine(isMax, acc, x[base + layOffset(lr, j)], j);
        return acc;
    }

    // wp_reduce_rows_*(op, x, xdt, lk, lr, inner, outN, y, ydt): one thread per output, in order
    private static void reduceRows(Args a, Num num) {
        int op = a.i(0), inner = a.i(5), outN = a.i(6);
        double[] x = a.p(1);
        for (int o = 0; o < outN; o++) {
            int base = layOffset(a.lay(3), o);
            if (isSum(op)) {
                IntToDoubleFunction t = term(op, num, x, base, a.lay(4));
                double acc = 0;
                for (int j = 0; j < inner; j++) acc = num.r(acc + t.applyAsDouble(j));
                a.set(7, o, acc);
            } else {
                double[] e = extreme(op, x, base, a.lay(4), 0, inner);
                a.set(7, o, isArg(op) ? e[1] : e[0]);
            }
        }
    }

    // wp_reduce_*(op, x, xdt, lk, lr, inner, chunks, y, ydt, yi): block b reduces chunk b % chunks of output b / chunks
    private static void reduceBlocks(Args a, Num num, int blocks) {
        int op = a.i(0), inner = a.i(5), chunks = a.i(6);
        double[] x = a.p(1);
        for (int blk = 0; blk < blocks; blk++) {
            int o = blk / chunks, ck = blk - o * chunks;
            int base = layOffset(a.lay(3), o);
            int from = (int) ((long) inner * ck / chunks), to = (int) ((long) inner * (ck + 1) / chunks);
            if (isSum(op)) {
                a.set(7, blk, blockSum(num, term(op, num, x, base, a.lay(4)), from, to));
            } else {
                double[] e = extreme(op, x, base, a.lay(4), from, to);
                if (chunks > 1) {
                    a.set(7, blk, e[0]);
                    a.set(9, blk, e[1]);
                } else {
                    a.set(7, o, isArg(op) ? e[1] : e[0]);
                }
            }
        }
    }

    // wp_reduce_pairs_*(op, pv, pi, chunks, outN, y, ydt): the chunks' (value, index) partials in chunk order
    private static void reducePairs(Args a) {
        int op = a.i(0), chunks = a.i(3), outN = a.i(4);
        double[] pv = a.p(1), pi = a.p(2);
        boolean isMax = op == ReduceOp.MAX.ordinal() || op == ReduceOp.ARGMAX.ordinal();
        for (int o = 0; o < outN; o++) {
            double[] acc = {isMax ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, -1}; // empty: the identity
            for (int c = 0; c < chunks; c++) {
                if (pi[o * chunks + c] >= 0) acc = combine(isMax, acc, pv[o * chunks + c], (int) pi[o * chunks + c]);
            }
            a.set(5, o, isArg(op) ? acc[1] : acc[0]);
        }
    }

    // wp_softmax_rows_*(x, y, n, inner, rows, log) / wp_softmax_*(x, y, n, inner, log), one row r = (o, k):
    // (x - m) - log(s) or exp(x - m) * (1 / s); the block kernel sums exp(x - m) like blockSum
    private static void softmax(Args a, Num num, boolean rowsKernel, int blocks) {
        double[] x = a.p(0);
        int n = a.i(2), inner = a.i(3);
        int rows = rowsKernel ? a.i(4) : blocks; // one block per row
        boolean log = a.i(rowsKernel ? 5 : 4) != 0;
        for (int r = 0; r < rows; r++) {
            int base = (r / inner) * n * inner + r % inner;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) m = Math.max(m, x[base + j * inner]);
            final double mm = m;
            IntToDoubleFunction e = j -> num.exp(num.r(x[base + j * inner] - mm));
            double s = 0;
            if (rowsKernel) {
                for (int j = 0; j < n; j++) s = num.r(s + e.applyAsDouble(j));
            } else {
                s = blockSum(num, e, 0, n);
            }
            double ls = num.log(s), inv = num.r(1 / s);
            for (int j = 0; j < n; j++) {
                double d = num.r(x[base + j * inner] - m);
                a.set(1, base + j * inner, log ? num.r(d - ls) : num.r(num.exp(d) * inv));
            }
        }
    }

    // wp_index_select(x, dt, lx, dim, index, lo, y, err, n)
    private static void indexSelect(Args a) {
        double[] x = a.p(0), index = a.p(4), y = a.p(6), err = a.p(7);
        int[] lx = a.lay(2), lo = a.lay(5);
        int dim = a.i(3), n = a.i(8);
        for (int e = 0; e < n; e++) {
            int rem = e, off = lx[Launch.LAY_OFFSET];
            for (int d = rank(lo) - 1; d >= 0; --d) {
                int s = shape(lo, d), q = rem / s, m = rem - q * s;
                rem = q;
                if (d == dim) {
                    int v = (int) index[m];
                    if (!checkIndex(v, shape(lx, dim), err)) v = 0;
                    off += v * stride(lx, d);
                } else {
                    off += m * stride(lx, d);
                }
            }
            y[e] = x[off];
        }
    }

    // wp_gather(x, dt, lx, dim, index, li, y, err, n)
    private static void gather(Args a) {
        double[] x = a.p(0), index = a.p(4), y = a.p(6), err = a.p(7);
        int[] lx = a.lay(2), li = a.lay(5);
        int dim = a.i(3), n = a.i(8);
        for (int e = 0; e < n; e++) {
            int rem = e, io = li[Launch.LAY_OFFSET], so = lx[Launch.LAY_OFFSET];
            for (int d = rank(li) - 1; d >= 0; --d) {
                int s = shape(li, d), q = rem / s, m = rem - q * s;
                rem = q;
                io += m * stride(li, d);
                if (d != dim) so += m * stride(lx, d);
            }
            int v = (int) index[io];
            if (!checkIndex(v, shape(lx, dim), err)) v = 0;
            y[e] = x[so + v * stride(lx, dim)];
        }
    }

    // wp_scatter_add(index, li, src, sdt, ls, out, odt, lo, dim, err, n)
    private static void scatterAdd(Args a) {
        double[] index = a.p(0), src = a.p(2), out = a.p(5), err = a.p(9);
        int[] li = a.lay(1), ls = a.lay(4), lo = a.lay(7);
        int dim = a.i(8), n = a.i(10);
        for (int e = 0; e < n; e++) {
            int rem = e, io = li[Launch.LAY_OFFSET], so = ls[Launch.LAY_OFFSET], oo = 0;
            for (int d = rank(li) - 1; d >= 0; --d) {
                int s = shape(li, d), q = rem / s, m = rem - q * s;
                rem = q;
                io += m * stride(li, d);
                so += m * stride(ls, d);
                if (d != dim) oo += m * stride(lo, d);
            }
            int v = (int) index[io];
            if (!checkIndex(v, shape(lo, dim), err)) continue;
            out[oo + v * stride(lo, dim)] += src[so];
        }
    }

    // wp_maxpool2d_*(x, y, idx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw)
    private static void maxPool(Args a) {
        double[] x = a.p(0);
        int planes = a.i(3), h = a.i(4), w = a.i(5), oh = a.i(6), ow = a.i(7), kh = a.i(8), kw = a.i(9), sh = a.i(10),
                sw = a.i(11), ph = a.i(12), pw = a.i(13), dh = a.i(14), dw = a.i(15);
        for (int e = 0; e < planes * oh * ow; e++) {
            int q = e % ow, r = (e / ow) % oh, pl = e / (oh * ow);
            int ih0 = r * sh - ph, ih1 = Math.min(ih0 + (kh - 1) * dh + 1, h);
            while (ih0 < 0) ih0 += dh;
            int iw0 = q * sw - pw, iw1 = Math.min(iw0 + (kw - 1) * dw + 1, w);
            while (iw0 < 0) iw0 += dw;
            int bi = ih0 * w + iw0;
            double best = Double.NEGATIVE_INFINITY;
            int xo = pl * h * w;
            for (int ih = ih0; ih < ih1; ih += dh) {
                for (int iw = iw0; iw < iw1; iw += dw) {
                    double v = x[xo + ih * w + iw];
                    if (v > best || Double.isNaN(v)) { best = v; bi = ih * w + iw; }
                }
            }
            a.set(1, e, best);
            a.set(2, e, bi);
        }
    }

    // wp_maxpool2d_backward_*(dy, idx, dx, planes, hw, ohw): atomicAdd of the compute type
    private static void maxPoolBackward(Args a, Num num) {
        double[] dy = a.p(0), idx = a.p(1), dx = a.p(2);
        int planes = a.i(3), hw = a.i(4), ohw = a.i(5);
        for (int e = 0; e < planes * ohw; e++) {
            int t = (e / ohw) * hw + (int) idx[e];
            dx[t] = num.r(dx[t] + dy[e]);
        }
    }
}
