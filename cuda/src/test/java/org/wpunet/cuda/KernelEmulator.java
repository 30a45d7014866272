package org.wpunet.cuda;

import java.util.List;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.UnaryOp;

/**
 * A host transcription of the index arithmetic of the own kernels (src/main/cuda), run on the exact
 * {@link KernelCall}s that {@link KernelCalls} packs for the device. Values are doubles in
 * {@link HostStorage}s; what is emulated is which element each thread reads and writes: lay_offset,
 * the dim-by-number walks of the indexing kernels, the (output, chunk) split of wp_reduce and the row
 * addressing of softmax and pooling. Grid-stride loops run as plain loops over the element index, and
 * block reductions sum in index order (the device's tree order only changes rounding).
 */
final class KernelEmulator {
    private KernelEmulator() {}

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

    private static int rank(int[] l) { return l[Launch.LAY_RANK]; }

    private static int shape(int[] l, int d) { return l[Launch.LAY_SHAPE + d]; }

    private static int stride(int[] l, int d) { return l[Launch.LAY_STRIDE + d]; }

    /** Positional access to a call's arguments, typed as the kernel declares them. */
    private record Args(List<KernelCall.Arg> a) {
        int i(int k) { return ((KernelCall.I32) a.get(k)).v(); }

        double d(int k) { return ((KernelCall.F64) a.get(k)).v(); }

        int[] lay(int k) { return ((KernelCall.Lay) a.get(k)).packed(); }

        double[] p(int k) {
            var s = ((KernelCall.Ptr) a.get(k)).storage();
            return s == null ? null : ((HostStorage) s).v;
        }
    }

    /** The {flag, value, size} record of check_index. */
    private static boolean checkIndex(double v, int size, double[] err) {
        if (v < 0 || v >= size) {
            if (err[0] == 0) { err[0] = 1; err[1] = v; err[2] = size; }
            return false;
        }
        return true;
    }

    /** Runs one packed call on host storages. */
    static void run(KernelCall call) {
        Args a = new Args(call.args());
        int n = (int) call.n();
        // the elementwise kernels' index arithmetic is the same for both compute types
        String kernel = call.kernel().replaceFirst("^(wp_(copy|unary|binary|binary_scalar|where|clamp|fill))_f(32|64)$", "$1");
        switch (kernel) {
            case "wp_copy" -> {
                double[] src = a.p(0), dst = a.p(3);
                int[] ls = a.lay(2), ld = a.lay(5);
                boolean acc = a.i(6) != 0;
                for (int e = 0; e < a.i(7); e++) {
                    int od = layOffset(ld, e);
                    double v = src[layOffset(ls, e)];
                    dst[od] = acc ? dst[od] + v : v;
                }
            }
            case "wp_unary" -> {
                UnaryOp op = UnaryOp.values()[a.i(0)];
                double[] x = a.p(1), y = a.p(4);
                for (int e = 0; e < a.i(6); e++) y[e] = op.apply(x[layOffset(a.lay(3), e)]);
            }
            case "wp_binary" -> {
                BinaryOp op = BinaryOp.values()[a.i(0)];
                double[] x = a.p(1), z = a.p(4), y = a.p(7);
                for (int e = 0; e < a.i(9); e++) y[e] = op.apply(x[layOffset(a.lay(3), e)], z[layOffset(a.lay(6), e)]);
            }
            case "wp_reduce_rows" -> reduceRows(a);
            case "wp_reduce" -> reduceBlocks(a, n);
            case "wp_reduce_pairs" -> reducePairs(a);
            case "wp_softmax_rows", "wp_softmax" -> softmax(a, call.kernel().endsWith("rows"), n);
            case "wp_index_select" -> indexSelect(a);
            case "wp_gather" -> gather(a);
            case "wp_scatter_add" -> scatterAdd(a);
            case "wp_maxpool2d" -> maxPool(a);
            case "wp_maxpool2d_backward" -> maxPoolBackward(a);
            case "wp_weighted_ce_f32", "wp_weighted_ce_f64" -> weightedCe(a);
            case "wp_class_weighted_ce_f32", "wp_class_weighted_ce_f64" -> classWeightedCe(a);
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

    private static double reduceOne(int op, double[] x, int base, int[] lr, int from, int to) {
        if (isSum(op)) {
            double acc = 0;
            for (int j = from; j < to; j++) {
                double v = x[base + layOffset(lr, j)];
                acc += op == ReduceOp.SUM_SQUARES.ordinal() ? v * v : v;
            }
            return acc;
        }
        boolean isMax = op == ReduceOp.MAX.ordinal() || op == ReduceOp.ARGMAX.ordinal();
        double[] acc = {0, -1};
        for (int j = from; j < to; j++) acc = combine(isMax, acc, x[base + layOffset(lr, j)], j);
        return isArg(op) ? acc[1] : acc[0];
    }

    // wp_reduce_rows(op, x, xdt, lk, lr, inner, outN, y, ydt)
    private static void reduceRows(Args a) {
        int op = a.i(0), inner = a.i(5), outN = a.i(6);
        double[] x = a.p(1), y = a.p(7);
        for (int o = 0; o < outN; o++) y[o] = reduceOne(op, x, layOffset(a.lay(3), o), a.lay(4), 0, inner);
    }

    // wp_reduce(op, x, xdt, lk, lr, inner, chunks, y, ydt, yi): block b reduces chunk b % chunks of output b / chunks
    private static void reduceBlocks(Args a, int blocks) {
        int op = a.i(0), inner = a.i(5), chunks = a.i(6);
        double[] x = a.p(1), y = a.p(7), yi = a.p(9);
        for (int blk = 0; blk < blocks; blk++) {
            int o = blk / chunks, ck = blk - o * chunks;
            int base = layOffset(a.lay(3), o);
            int from = (int) ((long) inner * ck / chunks), to = (int) ((long) inner * (ck + 1) / chunks);
            if (isSum(op)) {
                y[blk] = reduceOne(op, x, base, a.lay(4), from, to);
            } else if (chunks == 1) {
                y[o] = reduceOne(op, x, base, a.lay(4), from, to);
            } else {
                boolean isMax = op == ReduceOp.MAX.ordinal() || op == ReduceOp.ARGMAX.ordinal();
                double[] acc = {0, -1};
                for (int j = from; j < to; j++) acc = combine(isMax, acc, x[base + layOffset(a.lay(4), j)], j);
                y[blk] = acc[0];
                yi[blk] = acc[1];
            }
        }
    }

    // wp_reduce_pairs(op, pv, pi, chunks, outN, y, ydt): the chunks' (value, index) partials in chunk order
    private static void reducePairs(Args a) {
        int op = a.i(0), chunks = a.i(3), outN = a.i(4);
        double[] pv = a.p(1), pi = a.p(2), y = a.p(5);
        boolean isMax = op == ReduceOp.MAX.ordinal() || op == ReduceOp.ARGMAX.ordinal();
        for (int o = 0; o < outN; o++) {
            double[] acc = {0, -1};
            for (int c = 0; c < chunks; c++) {
                if (pi[o * chunks + c] >= 0) acc = combine(isMax, acc, pv[o * chunks + c], (int) pi[o * chunks + c]);
            }
            y[o] = isArg(op) ? acc[1] : acc[0];
        }
    }

    // wp_softmax_rows(x, dt, y, n, inner, rows, log) / wp_softmax(x, dt, y, n, inner, log), one row r = (o, k)
    private static void softmax(Args a, boolean rowsKernel, int blocks) {
        double[] x = a.p(0), y = a.p(2);
        int n = a.i(3), inner = a.i(4);
        int rows = rowsKernel ? a.i(5) : blocks; // one block per row
        boolean log = a.i(rowsKernel ? 6 : 5) != 0;
        for (int r = 0; r < rows; r++) {
            int base = (r / inner) * n * inner + r % inner;
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < n; j++) m = Math.max(m, x[base + j * inner]);
            for (int j = 0; j < n; j++) s += Math.exp(x[base + j * inner] - m);
            double lse = m + Math.log(s);
            for (int j = 0; j < n; j++) {
                double v = x[base + j * inner];
                y[base + j * inner] = log ? v - lse : Math.exp(v - m) / s;
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

    // wp_maxpool2d(x, dt, y, idx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw)
    private static void maxPool(Args a) {
        double[] x = a.p(0), y = a.p(2), idx = a.p(3);
        int planes = a.i(4), h = a.i(5), w = a.i(6), oh = a.i(7), ow = a.i(8), kh = a.i(9), kw = a.i(10), sh = a.i(11),
                sw = a.i(12), ph = a.i(13), pw = a.i(14), dh = a.i(15), dw = a.i(16);
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
            y[e] = best;
            idx[e] = bi;
        }
    }

    // wp_maxpool2d_backward(dy, dt, idx, dx, planes, hw, ohw)
    private static void maxPoolBackward(Args a) {
        double[] dy = a.p(0), idx = a.p(2), dx = a.p(3);
        int planes = a.i(4), hw = a.i(5), ohw = a.i(6);
        for (int e = 0; e < planes * ohw; e++) dx[(e / ohw) * hw + (int) idx[e]] += dy[e];
    }

    // wp_weighted_ce_*(x, target, weight, n, c, hw, loss, grad, err): pixel p = (b, s) reads x[b*c*hw + k*hw + s]
    private static void weightedCe(Args a) {
        double[] x = a.p(0), target = a.p(1), weight = a.p(2), loss = a.p(6), grad = a.p(7), err = a.p(8);
        int n = a.i(3), c = a.i(4), hw = a.i(5);
        for (int p = 0; p < n * hw; p++) {
            int b = p / hw, s = p - b * hw, base = b * c * hw + s, t = (int) target[p];
            if (!checkIndex(t, c, err)) continue;
            double m = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < c; k++) m = Math.max(m, x[base + k * hw]);
            for (int k = 0; k < c; k++) sum += Math.exp(x[base + k * hw] - m);
            double lse = m + Math.log(sum), wp = weight == null ? 1 : weight[p];
            loss[p] = wp * (lse - x[base + t * hw]);
            if (grad != null) {
                for (int k = 0; k < c; k++) grad[base + k * hw] = wp * (Math.exp(x[base + k * hw] - lse) - (k == t ? 1 : 0));
            }
        }
    }

    // wp_class_weighted_ce_*(x, w, n, c, hw, clampMin, loss, grad)
    private static void classWeightedCe(Args a) {
        double[] x = a.p(0), w = a.p(1), loss = a.p(6), grad = a.p(7);
        int n = a.i(2), c = a.i(3), hw = a.i(4);
        double clampMin = a.d(5), logMin = Math.log(clampMin);
        for (int p = 0; p < n * hw; p++) {
            int b = p / hw, s = p - b * hw, base = b * c * hw + s;
            double m = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < c; k++) m = Math.max(m, x[base + k * hw]);
            for (int k = 0; k < c; k++) sum += Math.exp(x[base + k * hw] - m);
            double lse = m + Math.log(sum), l = 0, aw = 0;
            for (int k = 0; k < c; k++) {
                double lp = x[base + k * hw] - lse, wk = w[base + k * hw];
                if (!(Math.exp(lp) < clampMin)) { l -= wk * lp; aw += wk; } else l -= wk * logMin;
            }
            loss[p] = l;
            if (grad != null) {
                for (int k = 0; k < c; k++) {
                    double pk = Math.exp(x[base + k * hw] - lse);
                    grad[base + k * hw] = pk * aw - (pk < clampMin ? 0 : 1) * w[base + k * hw];
                }
            }
        }
    }
}
