package org.wpunet.cuda;

import java.util.ArrayList;
import java.util.List;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.Rng;
import org.wpunet.core.Storage;
import org.wpunet.core.UnaryOp;

/**
 * The argument packing of every own kernel, as pure functions of storages and layouts (no device
 * needed): the backend launches what these return, and KernelEmulationTest runs the very same
 * {@link KernelCall}s through a host transcription of the kernels' index arithmetic against the CPU
 * backend. Op and dtype codes are enum ordinals, which kernel_codes.cuh names (KernelCodes).
 */
final class KernelCalls {
    private KernelCalls() {}

    private static KernelCall.I32 i(int v) { return new KernelCall.I32(v); }

    private static KernelCall.I32 i(DType dt) { return new KernelCall.I32(dt.ordinal()); }

    private static KernelCall.F64 d(double v) { return new KernelCall.F64(v); }

    private static KernelCall.Ptr p(Storage s) { return new KernelCall.Ptr(s); }

    /** A layout for an elementwise kernel: coalesced (each operand walks its own row-major order). */
    private static KernelCall.Lay co(Layout l, String op) { return new KernelCall.Lay(Launch.lay(l, op)); }

    /** A layout whose dims are indexed by number in the kernel (indexing ops): not coalesced. */
    private static KernelCall.Lay exact(Layout l, String op) { return new KernelCall.Lay(Launch.layExact(l, op)); }

    private static KernelCall stride(String kernel, long n, KernelCall.Arg... args) {
        return new KernelCall(kernel, KernelCall.Grid.STRIDE, n, List.of(args));
    }

    private static KernelCall blocks(String kernel, long n, KernelCall.Arg... args) {
        return new KernelCall(kernel, KernelCall.Grid.BLOCKS, n, List.of(args));
    }

    // ---- elementwise.cu
    /**
     * The compute type of an elementwise kernel: "f64" (double) when any operand is F64 or I32 (every
     * int exact), else "f32" (float: F32, BF16, F16 and U8 are exact in it). The result is rounded once
     * to its dtype either way.
     */
    static String computeType(Storage... operands) {
        for (Storage s : operands) if (s.dtype() == DType.F64 || s.dtype() == DType.I32) return "f64";
        return "f32";
    }

    /**
     * The contiguous fast path of the elementwise kernels (their {@code contiguous} argument): 1 when every
     * operand's packed layout is dense ({@link Launch#isDense}), so element i is at offset + i.
     */
    private static KernelCall.I32 contiguous(KernelCall.Lay... lays) {
        for (KernelCall.Lay l : lays) if (!Launch.isDense(l.packed())) return i(0);
        return i(1);
    }

    static KernelCall fill(Storage y, double value) {
        return stride("wp_fill_" + computeType(y), y.numel(), p(y), i(y.dtype()), d(value), i(y.numel()));
    }

    /** dst[dl] = src[sl] (accumulate false) or dst[dl] += src[sl], converting dtypes. */
    static KernelCall copy(Storage src, Layout sl, Storage dst, Layout dl, boolean accumulate, String op) {
        KernelCall.Lay ls = co(sl, op), ld = co(dl, op);
        return stride("wp_copy_" + computeType(src, dst), sl.numel(), p(src), i(src.dtype()), ls, p(dst), i(dst.dtype()), ld,
                i(accumulate ? 1 : 0), contiguous(ls, ld), i(sl.numel()));
    }

    static KernelCall unary(UnaryOp op, Storage x, Layout l, Storage y) {
        int n = l.numel();
        KernelCall.Lay lx = co(l, "unary");
        return stride("wp_unary_" + computeType(x, y), n, i(op.ordinal()), p(x), i(x.dtype()), lx, p(y), i(y.dtype()),
                contiguous(lx), i(n));
    }

    static KernelCall binary(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, Storage y) {
        int n = la.numel();
        KernelCall.Lay pa = co(la, "binary"), pb = co(lb, "binary");
        return stride("wp_binary_" + computeType(a, b, y), n, i(op.ordinal()), p(a), i(a.dtype()), pa, p(b), i(b.dtype()), pb,
                p(y), i(y.dtype()), contiguous(pa, pb), i(n));
    }

    static KernelCall binaryScalar(BinaryOp op, Storage x, Layout l, double scalar, boolean scalarFirst, Storage y) {
        int n = l.numel();
        KernelCall.Lay lx = co(l, "binaryScalar");
        return stride("wp_binary_scalar_" + computeType(x, y), n, i(op.ordinal()), p(x), i(x.dtype()), lx, d(scalar),
                i(scalarFirst ? 1 : 0), p(y), i(y.dtype()), contiguous(lx), i(n));
    }

    static KernelCall where(Storage c, Layout lc, Storage a, Layout la, Storage b, Layout lb, Storage y) {
        int n = la.numel();
        KernelCall.Lay pc = co(lc, "where"), pa = co(la, "where"), pb = co(lb, "where");
        return stride("wp_where_" + computeType(c, a, b, y), n, p(c), i(c.dtype()), pc, p(a), i(a.dtype()), pa, p(b),
                i(b.dtype()), pb, p(y), i(y.dtype()), contiguous(pc, pa, pb), i(n));
    }

    static KernelCall clamp(Storage x, Layout l, double lo, double hi, Storage y) {
        int n = l.numel();
        KernelCall.Lay lx = co(l, "clamp");
        return stride("wp_clamp_" + computeType(x, y), n, p(x), i(x.dtype()), lx, d(lo), d(hi), p(y), contiguous(lx), i(n));
    }

    // ---- reduce.cu
    /** Reductions longer than this run as (output, chunk) blocks whose F64 partials a second pass sums. */
    static final int CHUNK_INNER = 1 << 16;

    /** Reductions at most this long run one thread per output (wp_reduce_rows). */
    static final int ROW_REDUCE_MAX = 32;

    /**
     * Chunks per output of {@link #reduce}: 1 unless a long reduction has too few outputs to fill the
     * device ({@link Launch#reduceChunks}); every op splits (sums add F64 partials, MAX/MIN/ARG* combine
     * (value, index) partials).
     */
    static int reduceChunks(ReduceOp op, Layout l, int[] dims, int maxBlocks) {
        Layout[] kr = Launch.splitReduce(l, dims);
        int inner = kr[1].numel();
        if (inner <= ROW_REDUCE_MAX) return 1;
        return Launch.reduceChunks(kr[0].numel(), inner, CHUNK_INNER, maxBlocks);
    }

    static boolean isSum(ReduceOp op) { return op == ReduceOp.SUM || op == ReduceOp.SUM_SQUARES; }

    /**
     * The compute type of a reduction: arg-reductions only compare the input, so its type decides
     * (their int results are stored from the index, exactly); SUM_SQUARES is double always
     * (Tensor.sumSquares promises double accumulation on every backend); the others as
     * {@link #computeType} over input and result (an F64 or I32 result sums in double).
     */
    static String reduceComputeType(ReduceOp op, Storage x, DType out) {
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        if (op == ReduceOp.SUM_SQUARES || x.dtype() == DType.F64 || x.dtype() == DType.I32) return "f64";
        return !arg && (out == DType.F64 || out == DType.I32) ? "f64" : "f32";
    }

    /** The dtype of the first pass's partials of a chunked reduction: the compute type's (F32 or F64). */
    static DType partialType(ReduceOp op, Storage x, DType out) {
        return reduceComputeType(op, x, out).equals("f32") ? DType.F32 : DType.F64;
    }

    /**
     * The launches of a reduction of {@code dims} into y (compact, one element per kept index): one
     * launch, or with {@code chunks > 1} a first pass into {@code partials} ({@link #partialType},
     * outputs x chunks; for MAX/MIN/ARG* also the winners' indices in {@code partialIndices}, I32) and a
     * second that combines them in chunk order.
     */
    static List<KernelCall> reduce(ReduceOp op, Storage x, Layout l, int[] dims, Storage y, int chunks, Storage partials,
                                   Storage partialIndices) {
        Layout[] kr = Launch.splitReduce(l, dims);
        int outN = kr[0].numel(), inner = kr[1].numel(), o = op.ordinal();
        String ct = reduceComputeType(op, x, y.dtype());
        List<KernelCall> calls = new ArrayList<>();
        if (outN == 0) return calls;
        KernelCall.Lay lk = co(kr[0], "reduce"), lr = co(kr[1], "reduce");
        if (inner <= ROW_REDUCE_MAX) {
            calls.add(stride("wp_reduce_rows_" + ct, outN, i(o), p(x), i(x.dtype()), lk, lr, i(inner), i(outN), p(y),
                    i(y.dtype())));
        } else if (chunks == 1) {
            calls.add(blocks("wp_reduce_" + ct, outN, i(o), p(x), i(x.dtype()), lk, lr, i(inner), i(1), p(y), i(y.dtype()),
                    p(null)));
        } else {
            DType pt = partialType(op, x, y.dtype());
            if (partials.dtype() != pt) {
                throw new IllegalArgumentException("reduce partials must be " + pt + " for " + op + " of " + x.dtype()
                        + " into " + y.dtype() + ", got " + partials.dtype());
            }
            calls.add(blocks("wp_reduce_" + ct, (long) outN * chunks, i(o), p(x), i(x.dtype()), lk, lr, i(inner), i(chunks),
                    p(partials), i(pt), p(isSum(op) ? null : partialIndices)));
            if (isSum(op)) {
                Layout pk = new Layout(new int[]{outN}, new int[]{chunks}, 0), pr = Layout.contiguous(chunks);
                calls.add(blocks("wp_reduce_" + ct, outN, i(ReduceOp.SUM.ordinal()), p(partials), i(pt), co(pk, "reduce"),
                        co(pr, "reduce"), i(chunks), i(1), p(y), i(y.dtype()), p(null)));
            } else {
                calls.add(stride("wp_reduce_pairs_" + ct, outN, i(o), p(partials), p(partialIndices), i(chunks), i(outN), p(y),
                        i(y.dtype())));
            }
        }
        return calls;
    }

    /** Rows of ({@code shape} split at {@code dim}) that wp_softmax_rows_* handles one per thread. */
    static final int ROW_SOFTMAX_MAX = 32;

    /**
     * (log-)softmax over {@code dim} of a compact F32 or F64 tensor x into y (same shape and dtype), in
     * x's type; null when it is empty.
     */
    static KernelCall softmax(Storage x, int[] shape, int dim, boolean log, Storage y) {
        String sfx = floatSuffix(x.dtype(), "softmax");
        int outer = 1, inner = 1, n = shape[dim];
        for (int k = 0; k < dim; k++) outer *= shape[k];
        for (int k = dim + 1; k < shape.length; k++) inner *= shape[k];
        int rows = outer * inner;
        if (rows == 0 || n == 0) return null;
        if (n <= ROW_SOFTMAX_MAX) {
            return stride("wp_softmax_rows_" + sfx, rows, p(x), p(y), i(n), i(inner), i(rows), i(log ? 1 : 0));
        }
        return blocks("wp_softmax_" + sfx, rows, p(x), p(y), i(n), i(inner), i(log ? 1 : 0));
    }

    // ---- indexing.cu (layouts not coalesced: the kernels index shape[dim] and stride[dim] by dim number)
    /** y (compact, lx's shape with dim -> indexLen) = x[..., index[j], ...]; err is the {flag, value, size} record. */
    static KernelCall indexSelect(Storage x, Layout lx, int dim, Storage index, int indexLen, Storage y, Storage err) {
        int[] shape = lx.shape();
        shape[dim] = indexLen;
        Layout lo = Layout.contiguous(shape);
        int n = lo.numel();
        return stride("wp_index_select", n, p(x), i(x.dtype()), exact(lx, "index_select"), i(dim), p(index),
                exact(lo, "index_select"), p(y), p(err), i(n));
    }

    /** y (compact, li's shape) = x[m with m[dim] = index[m]]. */
    static KernelCall gather(Storage x, Layout lx, int dim, Storage index, Layout li, Storage y, Storage err) {
        int n = li.numel();
        return stride("wp_gather", n, p(x), i(x.dtype()), exact(lx, "gather"), i(dim), p(index), exact(li, "gather"), p(y),
                p(err), i(n));
    }

    /** out (compact, zeroed, lo's shape) [m with m[dim] = index[m]] += src[m], over li's shape. */
    static KernelCall scatterAdd(Storage index, Layout li, Storage src, Layout ls, Storage out, Layout lo, int dim, Storage err) {
        int n = li.numel();
        return stride("wp_scatter_add", n, p(index), exact(li, "scatter_add"), p(src), i(src.dtype()), exact(ls, "scatter_add"),
                p(out), i(out.dtype()), exact(lo, "scatter_add"), i(dim), p(err), i(n));
    }

    // ---- pooling.cu
    /** Output height and width of max pooling. */
    static int[] poolOut(int[] xs, int[] k, int[] s, int[] pad, int[] dil) {
        return new int[]{(xs[2] + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / s[0] + 1,
            (xs[3] + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / s[1] + 1};
    }

    static KernelCall maxPool2d(Storage x, int[] xs, int[] k, int[] s, int[] pad, int[] dil, Storage y, Storage idx) {
        int[] o = poolOut(xs, k, s, pad, dil);
        int planes = xs[0] * xs[1];
        return stride("wp_maxpool2d_" + floatSuffix(x.dtype(), "max_pool2d"), (long) planes * o[0] * o[1], p(x), p(y), p(idx),
                i(planes), i(xs[2]), i(xs[3]), i(o[0]), i(o[1]), i(k[0]), i(k[1]), i(s[0]), i(s[1]), i(pad[0]), i(pad[1]), i(dil[0]), i(dil[1]));
    }

    static KernelCall maxPool2dBackward(Storage dy, Storage indices, int[] xs, int[] ys, Storage dx) {
        int planes = xs[0] * xs[1], ohw = ys[2] * ys[3];
        return stride("wp_maxpool2d_backward_" + floatSuffix(dy.dtype(), "max_pool2d backward"), (long) planes * ohw, p(dy),
                p(indices), p(dx), i(planes), i(xs[2] * xs[3]), i(ohw));
    }

    // ---- random.cu
    static KernelCall random(Rng.Distribution dist, Storage y, long seed, long counter) {
        return stride("wp_random", y.numel(), i(dist.ordinal()), p(y), i(y.dtype()), i(y.numel()), new KernelCall.I64(seed),
                new KernelCall.I64(counter));
    }

    // ---- softmax, pooling, loss.cu and optimizers.cu (F32 or F64 tensors: the kernels are instantiated per type)
    static String floatSuffix(DType dt, String what) {
        return switch (dt) {
            case F32 -> "f32";
            case F64 -> "f64";
            default -> throw new IllegalArgumentException(what + " on cuda computes in F32 or F64, got " + dt);
        };
    }

    /** Pixels of a compact [n, c, spatial...] tensor per class: n * prod(spatial). */
    static int pixels(int[] shape) {
        int hw = 1;
        for (int d = 2; d < shape.length; d++) hw *= shape[d];
        return shape[0] * hw;
    }

    static KernelCall weightedCrossEntropy(Storage logits, int[] shape, Storage target, Storage weight, Storage loss,
                                           Storage grad, Storage err) {
        int n = shape[0], c = shape[1], hw = pixels(shape) / Math.max(1, n);
        return stride("wp_weighted_ce_" + floatSuffix(logits.dtype(), "cross-entropy"), (long) n * hw, p(logits), p(target),
                p(weight), i(n), i(c), i(hw), p(loss), p(grad), p(err));
    }

    static KernelCall classWeightedCrossEntropy(Storage logits, int[] shape, Storage weights, double clampMin, Storage loss,
                                                Storage grad) {
        int n = shape[0], c = shape[1], hw = pixels(shape) / Math.max(1, n);
        return stride("wp_class_weighted_ce_" + floatSuffix(logits.dtype(), "class-weighted cross-entropy"), (long) n * hw,
                p(logits), p(weights), i(n), i(c), i(hw), d(clampMin), p(loss), p(grad));
    }

    static KernelCall optimizerUpdate(OptimizerUpdate u, Storage param, Storage grad, Storage[] st) {
        String sfx = floatSuffix(param.dtype(), "optimizer updates");
        int n = param.numel();
        return switch (u) {
            case OptimizerUpdate.Sgd s -> stride("wp_sgd_" + sfx, n, p(param), p(grad), p(s.momentum() != 0 ? st[0] : null),
                    i(n), d(s.lr()), d(s.weightDecay()), d(s.momentum()), d(s.dampening()), i(s.nesterov() ? 1 : 0),
                    i(s.firstStep() ? 1 : 0));
            case OptimizerUpdate.RmsProp r -> {
                Storage buf = r.momentum() > 0 ? st[1] : null;
                Storage gavg = r.centered() ? st[r.momentum() > 0 ? 2 : 1] : null;
                yield stride("wp_rmsprop_" + sfx, n, p(param), p(grad), p(st[0]), p(buf), p(gavg), i(n), d(r.lr()),
                        d(r.weightDecay()), d(r.alpha()), d(r.eps()), d(r.momentum()));
            }
            case OptimizerUpdate.Adam a -> stride("wp_adam_" + sfx, n, p(param), p(grad), p(st[0]), p(st[1]),
                    p(a.amsgrad() ? st[2] : null), i(n), d(a.lr()), d(a.weightDecay()), d(a.beta1()), d(a.beta2()), d(a.eps()),
                    i(a.decoupled() ? 1 : 0), d(a.lr() / a.biasCorrection1()), d(a.biasCorrection2Sqrt()));
        };
    }
}
