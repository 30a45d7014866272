package org.wpunet.core.cpu;

import org.wpunet.core.Backend;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Layout;
import org.wpunet.core.MemoryStats;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.Rng;
import org.wpunet.core.Storage;
import org.wpunet.core.UnaryOp;
import org.wpunet.core.cpu.kernels.BatchNormKernels;
import org.wpunet.core.cpu.kernels.Conv2dKernels;
import org.wpunet.core.cpu.kernels.ConvBatchNormReluInference;
import org.wpunet.core.cpu.kernels.ConvTranspose2dKernels;
import org.wpunet.core.cpu.kernels.Dgemm;
import org.wpunet.core.cpu.kernels.MaxPool2x2;
import org.wpunet.core.cpu.kernels.Pool2dKernels;
import org.wpunet.core.cpu.kernels.Sgemm;

/**
 * The CPU backend: heap arrays, both cores through {@link Parallel}, SIMD kernels when
 * {@link Simd#enabled()}. Neural-network kernels run in F32 and F64; matmul and convolutions also take
 * BF16/F16 (widened to F32, rounded back once); other ops need F32 or F64.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    private static CpuStorage c(Storage s) {
        if (s == null) return null;
        if (!(s instanceof CpuStorage cs)) {
            throw new IllegalArgumentException("the cpu backend got a storage on " + s.device());
        }
        return cs;
    }

    private static boolean isF64(Storage s) { return s.dtype() == DType.F64; }

    private static void needFloat(String op, Storage s) {
        if (s.dtype() != DType.F32 && s.dtype() != DType.F64) {
            throw new IllegalArgumentException(op + " on cpu computes in F32 or F64, got " + s.dtype()
                    + " (convert with tensor.to(DType.F32))");
        }
    }

    /**
     * BF16/F16 matmul and convolution (mixed precision): the 16-bit inputs are widened to F32, computed
     * with F32 accumulation and the result rounded back once, as tensor cores do.
     */
    private static boolean isHalf(Storage s) { return s.dtype() == DType.BF16 || s.dtype() == DType.F16; }

    private Storage widen(Storage s) { return s == null ? null : copy(s, Layout.contiguous(s.numel()), DType.F32); }

    private Storage narrow(Storage s, DType to) { return s == null ? null : copy(s, Layout.contiguous(s.numel()), to); }

    private Storage[] narrow(Storage[] s, DType to) {
        Storage[] out = new Storage[s.length];
        for (int i = 0; i < s.length; i++) out[i] = narrow(s[i], to);
        return out;
    }

    @Override
    public Device device() { return Device.CPU; }

    @Override
    public String describe() {
        return "cpu: " + Parallel.threads() + " threads, SIMD " + Simd.describe();
    }

    // ------------------------------------------------------------------ memory
    @Override
    public Storage zeros(DType dtype, int numel) { return CpuStorage.allocate(dtype, numel); }

    @Override
    public Storage uninitialized(DType dtype, int numel) { return CpuStorage.allocateUninitialized(dtype, numel); }

    @Override
    public Storage full(DType dtype, int numel, double value) {
        CpuStorage s = CpuStorage.allocate(dtype, numel);
        if (value != 0) {
            switch (dtype) {
                case F32 -> java.util.Arrays.fill(s.f32(), (float) value);
                case F64 -> java.util.Arrays.fill(s.f64(), value);
                case I32 -> java.util.Arrays.fill(s.i32(), (int) value);
                case U8 -> java.util.Arrays.fill(s.u8(), (byte) (int) value);
                default -> { for (int i = 0; i < numel; i++) s.set(i, value); }
            }
        }
        return s;
    }

    @Override
    public Storage fromHost(Object array, DType dtype) {
        int n;
        Object copy;
        switch (array) {
            case float[] a when dtype == DType.F32 -> { n = a.length; copy = a.clone(); }
            case double[] a when dtype == DType.F64 -> { n = a.length; copy = a.clone(); }
            case int[] a when dtype == DType.I32 -> { n = a.length; copy = a.clone(); }
            case byte[] a when dtype == DType.U8 -> { n = a.length; copy = a.clone(); }
            case short[] a when dtype == DType.BF16 || dtype == DType.F16 -> { n = a.length; copy = a.clone(); }
            default -> throw new IllegalArgumentException("cannot make a " + dtype + " storage from a "
                    + array.getClass().getSimpleName());
        }
        return new CpuStorage(dtype, copy, n);
    }

    @Override
    public Object toHost(Storage s, Layout l) {
        CpuStorage cs = c(s);
        if (l.isCompact() && l.numel() == cs.numel()) {
            return switch (cs.data()) {
                case float[] a -> a.clone();
                case double[] a -> a.clone();
                case int[] a -> a.clone();
                case byte[] a -> a.clone();
                case short[] a -> a.clone();
                default -> throw new IllegalStateException("unexpected array");
            };
        }
        return ((CpuStorage) copy(s, l, s.dtype())).data();
    }

    @Override
    public Storage copy(Storage s, Layout l, DType to) {
        CpuStorage out = CpuStorage.allocateUninitialized(to, l.numel()); // copyInto writes every element
        CpuElementwise.copyInto(c(s), l, out, Layout.contiguous(l.shape()), false);
        return out;
    }

    @Override
    public void copyInto(Storage src, Layout sl, Storage dst, Layout dl) { CpuElementwise.copyInto(c(src), sl, c(dst), dl, false); }

    @Override
    public void addInto(Storage src, Layout sl, Storage dst, Layout dl) { CpuElementwise.copyInto(c(src), sl, c(dst), dl, true); }

    // ------------------------------------------------------------------ elementwise and reductions
    @Override
    public Storage unary(UnaryOp op, Storage s, Layout l, DType out) { return CpuElementwise.unary(op, c(s), l, out); }

    @Override
    public Storage binary(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, DType out) {
        return CpuElementwise.binary(op, c(a), la, c(b), lb, out);
    }

    @Override
    public Storage binaryScalar(BinaryOp op, Storage s, Layout l, double scalar, boolean scalarFirst, DType out) {
        return CpuElementwise.binaryScalar(op, c(s), l, scalar, scalarFirst, out);
    }

    @Override
    public Storage where(Storage cond, Layout lc, Storage a, Layout la, Storage b, Layout lb, DType out) {
        return CpuElementwise.where(c(cond), lc, c(a), la, c(b), lb, out);
    }

    @Override
    public Storage clamp(Storage s, Layout l, double lo, double hi) { return CpuElementwise.clamp(c(s), l, lo, hi); }

    @Override
    public Storage reduce(ReduceOp op, Storage s, Layout l, int[] dims, DType out) {
        return CpuReductions.reduce(op, c(s), l, dims, out);
    }

    @Override
    public Storage softmax(Storage s, int[] shape, int dim, boolean log) {
        needFloat("softmax", s);
        return CpuReductions.softmax(c(s), shape, dim, log);
    }

    // ------------------------------------------------------------------ matmul
    @Override
    public Storage matmul(Storage a, int aBatchStride, boolean transA, Storage b, int bBatchStride, boolean transB,
                          int batch, int m, int n, int k, DType dtype) {
        if (isHalf(a)) return narrow(matmul(widen(a), aBatchStride, transA, widen(b), bBatchStride, transB, batch, m, n, k, DType.F32), dtype);
        needFloat("matmul", a);
        CpuStorage out = CpuStorage.allocate(dtype, batch * m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (m == 0 || n == 0 || k == 0 || batch == 0) return out; // an empty product is all zeros
        // Parallelism lives inside the GEMM; batches run one after another.
        for (int i = 0; i < batch; i++) {
            if (dtype == DType.F64) {
                Dgemm.gemm(transA, transB, m, n, k, 1.0, c(a).f64(), i * aBatchStride, lda, c(b).f64(), i * bBatchStride, ldb,
                        0.0, out.f64(), i * m * n, n);
            } else {
                Sgemm.gemm(transA, transB, m, n, k, 1f, c(a).f32(), i * aBatchStride, lda, c(b).f32(), i * bBatchStride, ldb,
                        0f, out.f32(), i * m * n, n);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ convolution
    @Override
    public Storage conv2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        if (isHalf(x)) return narrow(conv2d(widen(x), xs, widen(w), ws, widen(bias), p), x.dtype());
        needFloat("conv2d", x);
        int oh = p.convOutH(xs[2], ws[2]), ow = p.convOutW(xs[3], ws[3]);
        // every forward path stores each output once: Winograd's and the direct 3x3's output stores,
        // the packed and the im2col GEMMs overwrite (beta 0, or after a bias fill of the whole band)
        CpuStorage y = CpuStorage.allocateUninitialized(x.dtype(), xs[0] * ws[0] * oh * ow);
        if (isF64(x)) {
            Conv2dKernels.forward(c(x).f64(), xs[0], xs[1], xs[2], xs[3], c(w).f64(), ws[0], ws[2], ws[3],
                    bias == null ? null : c(bias).f64(), p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(),
                    p.dilationW(), y.f64());
        } else {
            Conv2dKernels.forward(c(x).f32(), xs[0], xs[1], xs[2], xs[3], c(w).f32(), ws[0], ws[2], ws[3],
                    bias == null ? null : c(bias).f32(), p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(),
                    p.dilationW(), y.f32());
        }
        return y;
    }

    @Override
    public Storage conv2dBatchNormReluInference(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p,
                                                Storage gamma, Storage beta, Storage runningMean, Storage runningVar, double eps) {
        if (isHalf(x) || isF64(x)) {
            return Backend.super.conv2dBatchNormReluInference(x, xs, w, ws, bias, p, gamma, beta, runningMean, runningVar, eps);
        }
        needFloat("conv2d", x);
        int oh = p.convOutH(xs[2], ws[2]), ow = p.convOutW(xs[3], ws[3]);
        CpuStorage y = CpuStorage.allocate(x.dtype(), xs[0] * ws[0] * oh * ow);
        ConvBatchNormReluInference.forward(c(x).f32(), xs[0], xs[1], xs[2], xs[3], c(w).f32(), ws[0], ws[2], ws[3], f32(bias),
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), f32(gamma), f32(beta),
                f32(runningMean), f32(runningVar), (float) eps, y.f32());
        return y;
    }

    @Override
    public Storage conv2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        if (isHalf(dy)) return narrow(conv2dBackwardInput(widen(dy), widen(w), xs, ws, p), dy.dtype());
        needFloat("conv2d backward", dy);
        CpuStorage dx = CpuStorage.allocate(dy.dtype(), xs[0] * xs[1] * xs[2] * xs[3]);
        if (isF64(dy)) {
            Conv2dKernels.backwardInput(c(dy).f64(), c(w).f64(), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), dx.f64());
        } else {
            Conv2dKernels.backwardInput(c(dy).f32(), c(w).f32(), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), dx.f32());
        }
        return dx;
    }

    @Override
    public Storage[] conv2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        if (isHalf(x)) return narrow(conv2dBackwardWeight(widen(x), widen(dy), xs, ws, p, withBias), x.dtype());
        needFloat("conv2d backward", x);
        CpuStorage dw = CpuStorage.allocate(x.dtype(), ws[0] * ws[1] * ws[2] * ws[3]);
        CpuStorage db = withBias ? CpuStorage.allocate(x.dtype(), ws[0]) : null;
        if (isF64(x)) {
            Conv2dKernels.backwardWeight(c(x).f64(), c(dy).f64(), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), dw.f64(),
                    db == null ? null : db.f64());
        } else {
            Conv2dKernels.backwardWeight(c(x).f32(), c(dy).f32(), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), dw.f32(),
                    db == null ? null : db.f32());
        }
        return new Storage[]{dw, db};
    }

    @Override
    public Storage convTranspose2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        if (isHalf(x)) return narrow(convTranspose2d(widen(x), xs, widen(w), ws, widen(bias), p), x.dtype());
        needFloat("conv_transpose2d", x);
        int oh = p.transposedOutH(xs[2], ws[2]), ow = p.transposedOutW(xs[3], ws[3]);
        CpuStorage y = CpuStorage.allocate(x.dtype(), xs[0] * ws[1] * oh * ow);
        if (isF64(x)) {
            ConvTranspose2dKernels.forward(c(x).f64(), xs[0], xs[1], xs[2], xs[3], c(w).f64(), ws[1], ws[2], ws[3],
                    bias == null ? null : c(bias).f64(), p.strideH(), p.strideW(), p.padH(), p.padW(), p.outPadH(), p.outPadW(),
                    p.dilationH(), p.dilationW(), y.f64());
        } else {
            ConvTranspose2dKernels.forward(c(x).f32(), xs[0], xs[1], xs[2], xs[3], c(w).f32(), ws[1], ws[2], ws[3],
                    bias == null ? null : c(bias).f32(), p.strideH(), p.strideW(), p.padH(), p.padW(), p.outPadH(), p.outPadW(),
                    p.dilationH(), p.dilationW(), y.f32());
        }
        return y;
    }

    /** F32 with kernel == stride, no padding, dilation or output padding: the GEMM path writes into out directly. */
    @Override
    public void convTranspose2dInto(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p, Storage out, int[] os,
                                    int channelOffset) {
        boolean direct = x.dtype() == DType.F32 && ws[2] == ws[3] && p.strideH() == ws[2] && p.strideW() == ws[3] && p.padH() == 0
                && p.padW() == 0 && p.dilationH() == 1 && p.dilationW() == 1 && p.outPadH() == 0 && p.outPadW() == 0;
        if (!direct) {
            Backend.super.convTranspose2dInto(x, xs, w, ws, bias, p, out, os, channelOffset);
            return;
        }
        ConvTranspose2dKernels.forwardInto(c(x).f32(), xs[0], xs[1], xs[2], xs[3], c(w).f32(), ws[1], ws[2],
                bias == null ? null : c(bias).f32(), c(out).f32(), os[1], channelOffset);
    }

    @Override
    public Storage convTranspose2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        if (isHalf(dy)) return narrow(convTranspose2dBackwardInput(widen(dy), widen(w), xs, ws, p), dy.dtype());
        needFloat("conv_transpose2d backward", dy);
        CpuStorage dx = CpuStorage.allocate(dy.dtype(), xs[0] * xs[1] * xs[2] * xs[3]);
        if (isF64(dy)) {
            ConvTranspose2dKernels.backwardInput(c(dy).f64(), c(w).f64(), xs[0], xs[1], xs[2], xs[3], ws[1], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.outPadH(), p.outPadW(), p.dilationH(), p.dilationW(), dx.f64());
        } else {
            ConvTranspose2dKernels.backwardInput(c(dy).f32(), c(w).f32(), xs[0], xs[1], xs[2], xs[3], ws[1], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.outPadH(), p.outPadW(), p.dilationH(), p.dilationW(), dx.f32());
        }
        return dx;
    }

    @Override
    public Storage[] convTranspose2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        if (isHalf(x)) return narrow(convTranspose2dBackwardWeight(widen(x), widen(dy), xs, ws, p, withBias), x.dtype());
        needFloat("conv_transpose2d backward", x);
        CpuStorage dw = CpuStorage.allocate(x.dtype(), ws[0] * ws[1] * ws[2] * ws[3]);
        CpuStorage db = withBias ? CpuStorage.allocate(x.dtype(), ws[1]) : null;
        if (isF64(x)) {
            ConvTranspose2dKernels.backwardWeight(c(x).f64(), c(dy).f64(), xs[0], xs[1], xs[2], xs[3], ws[1], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.outPadH(), p.outPadW(), p.dilationH(), p.dilationW(),
                    dw.f64(), db == null ? null : db.f64());
        } else {
            ConvTranspose2dKernels.backwardWeight(c(x).f32(), c(dy).f32(), xs[0], xs[1], xs[2], xs[3], ws[1], ws[2], ws[3],
                    p.strideH(), p.strideW(), p.padH(), p.padW(), p.outPadH(), p.outPadW(), p.dilationH(), p.dilationW(),
                    dw.f32(), db == null ? null : db.f32());
        }
        return new Storage[]{dw, db};
    }

    // ------------------------------------------------------------------ pooling and batch norm
    @Override
    public Storage[] maxPool2d(Storage x, int[] xs, int[] k, int[] s, int[] pad, int[] dil) {
        needFloat("max_pool2d", x);
        int oh = (xs[2] + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / s[0] + 1;
        int ow = (xs[3] + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / s[1] + 1;
        int n = xs[0] * xs[1] * oh * ow;
        // maxForward stores every window's maximum (and its index)
        CpuStorage y = CpuStorage.allocateUninitialized(x.dtype(), n), idx = CpuStorage.allocate(DType.I32, n);
        if (isF64(x)) {
            Pool2dKernels.maxForward(c(x).f64(), xs[0], xs[1], xs[2], xs[3], k[0], k[1], s[0], s[1], pad[0], pad[1],
                    dil[0], dil[1], y.f64(), idx.i32());
        } else {
            Pool2dKernels.maxForward(c(x).f32(), xs[0], xs[1], xs[2], xs[3], k[0], k[1], s[0], s[1], pad[0], pad[1],
                    dil[0], dil[1], y.f32(), idx.i32());
        }
        return new Storage[]{y, idx};
    }

    /** F32 2x2 stride-2 windows take {@link MaxPool2x2} (no indices); anything else the indexed kernel. */
    @Override
    public Storage maxPool2dValues(Storage x, int[] xs, int[] k, int[] s, int[] pad, int[] dil) {
        boolean twoByTwo = k[0] == 2 && k[1] == 2 && s[0] == 2 && s[1] == 2 && pad[0] == 0 && pad[1] == 0 && dil[0] == 1 && dil[1] == 1;
        if (!twoByTwo || x.dtype() != DType.F32) return Backend.super.maxPool2dValues(x, xs, k, s, pad, dil);
        CpuStorage y = CpuStorage.allocateUninitialized(DType.F32, xs[0] * xs[1] * (xs[2] / 2) * (xs[3] / 2)); // every row stored
        MaxPool2x2.forward(c(x).f32(), xs[0], xs[1], xs[2], xs[3], y.f32());
        return y;
    }

    @Override
    public Storage maxPool2dBackward(Storage dy, Storage indices, int[] xs, int[] ys) {
        needFloat("max_pool2d backward", dy);
        CpuStorage dx = CpuStorage.allocate(dy.dtype(), xs[0] * xs[1] * xs[2] * xs[3]);
        if (isF64(dy)) {
            Pool2dKernels.maxBackward(c(dy).f64(), c(indices).i32(), xs[0], xs[1], xs[2], xs[3], ys[2], ys[3], dx.f64());
        } else {
            Pool2dKernels.maxBackward(c(dy).f32(), c(indices).i32(), xs[0], xs[1], xs[2], xs[3], ys[2], ys[3], dx.f32());
        }
        return dx;
    }

    @Override
    public Storage[] batchNorm(Storage x, int[] xs, Storage gamma, Storage beta, Storage runningMean, Storage runningVar,
                               boolean training, double momentum, double eps) {
        needFloat("batch_norm", x);
        int n = xs[0], ch = xs[1], hw = xs[2] * xs[3];
        CpuStorage y = CpuStorage.allocateUninitialized(x.dtype(), n * ch * hw); // y[i] = x[i] * scale + shift, every i
        if (isF64(x)) {
            if (training) {
                CpuStorage sm = CpuStorage.allocate(DType.F64, ch), si = CpuStorage.allocate(DType.F64, ch);
                BatchNormKernels.forwardTraining(c(x).f64(), n, ch, hw, f64(gamma), f64(beta), eps, momentum,
                        f64(runningMean), f64(runningVar), y.f64(), sm.f64(), si.f64());
                return new Storage[]{y, sm, si};
            }
            BatchNormKernels.forwardInference(c(x).f64(), n, ch, hw, f64(gamma), f64(beta), eps, f64(runningMean),
                    f64(runningVar), y.f64());
            return new Storage[]{y};
        }
        if (training) {
            CpuStorage sm = CpuStorage.allocate(DType.F32, ch), si = CpuStorage.allocate(DType.F32, ch);
            BatchNormKernels.forwardTraining(c(x).f32(), n, ch, hw, f32(gamma), f32(beta), (float) eps, (float) momentum,
                    f32(runningMean), f32(runningVar), y.f32(), sm.f32(), si.f32());
            return new Storage[]{y, sm, si};
        }
        BatchNormKernels.forwardInference(c(x).f32(), n, ch, hw, f32(gamma), f32(beta), (float) eps, f32(runningMean),
                f32(runningVar), y.f32());
        return new Storage[]{y};
    }

    private static float[] f32(Storage s) { return s == null ? null : c(s).f32(); }

    private static double[] f64(Storage s) { return s == null ? null : c(s).f64(); }

    @Override
    public Storage[] batchNormBackward(Storage x, Storage dy, int[] xs, Storage gamma, Storage saveMean, Storage saveInvStd,
                                       double eps) {
        // the saved inverse std already holds eps: the CPU kernel does not recompute it
        needFloat("batch_norm backward", x);
        int n = xs[0], ch = xs[1], hw = xs[2] * xs[3];
        CpuStorage dx = CpuStorage.allocate(x.dtype(), n * ch * hw);
        CpuStorage dg = CpuStorage.allocate(x.dtype(), ch), db = CpuStorage.allocate(x.dtype(), ch);
        if (isF64(x)) {
            BatchNormKernels.backward(c(x).f64(), c(dy).f64(), n, ch, hw, f64(gamma), f64(saveMean), f64(saveInvStd),
                    dx.f64(), dg.f64(), db.f64());
        } else {
            BatchNormKernels.backward(c(x).f32(), c(dy).f32(), n, ch, hw, f32(gamma), f32(saveMean), f32(saveInvStd),
                    dx.f32(), dg.f32(), db.f32());
        }
        return new Storage[]{dx, dg, db};
    }

    @Override
    public Storage[] batchNormRelu(Storage x, int[] xs, Storage gamma, Storage beta, Storage runningMean, Storage runningVar,
                                   boolean training, double momentum, double eps) {
        if (isF64(x)) return Backend.super.batchNormRelu(x, xs, gamma, beta, runningMean, runningVar, training, momentum, eps);
        needFloat("batch_norm", x);
        int n = xs[0], ch = xs[1], hw = xs[2] * xs[3];
        CpuStorage y = CpuStorage.allocateUninitialized(DType.F32, n * ch * hw); // every element stored (then ReLU)
        if (training) {
            CpuStorage sm = CpuStorage.allocate(DType.F32, ch), si = CpuStorage.allocate(DType.F32, ch);
            BatchNormKernels.forwardTraining(c(x).f32(), n, ch, hw, f32(gamma), f32(beta), (float) eps, (float) momentum,
                    f32(runningMean), f32(runningVar), y.f32(), sm.f32(), si.f32(), true);
            return new Storage[]{y, sm, si};
        }
        BatchNormKernels.forwardInference(c(x).f32(), n, ch, hw, f32(gamma), f32(beta), (float) eps, f32(runningMean),
                f32(runningVar), y.f32(), true);
        return new Storage[]{y};
    }

    /** F32: the fused inference kernel with its output array being its input (one pass, nothing allocated). */
    @Override
    public Storage batchNormReluInferenceReusingInput(Storage x, int[] xs, Storage gamma, Storage beta, Storage runningMean,
                                                      Storage runningVar, double eps) {
        if (isF64(x)) return Backend.super.batchNormReluInferenceReusingInput(x, xs, gamma, beta, runningMean, runningVar, eps);
        needFloat("batch_norm", x);
        float[] a = c(x).f32();
        BatchNormKernels.forwardInference(a, xs[0], xs[1], xs[2] * xs[3], f32(gamma), f32(beta), (float) eps, f32(runningMean),
                f32(runningVar), a, true);
        return x;
    }

    @Override
    public Storage[] batchNormReluBackward(Storage x, Storage y, Storage dy, int[] xs, Storage gamma, Storage saveMean,
                                           Storage saveInvStd, double eps) {
        if (isF64(x)) return Backend.super.batchNormReluBackward(x, y, dy, xs, gamma, saveMean, saveInvStd, eps);
        needFloat("batch_norm backward", x);
        int n = xs[0], ch = xs[1], hw = xs[2] * xs[3];
        CpuStorage dx = CpuStorage.allocate(DType.F32, n * ch * hw);
        CpuStorage dg = CpuStorage.allocate(DType.F32, ch), db = CpuStorage.allocate(DType.F32, ch);
        BatchNormKernels.backwardRelu(c(x).f32(), c(y).f32(), c(dy).f32(), n, ch, hw, f32(gamma), f32(saveMean),
                f32(saveInvStd), dx.f32(), dg.f32(), db.f32());
        return new Storage[]{dx, dg, db};
    }

    // ------------------------------------------------------------------ fused training kernels
    @Override
    public Storage[] weightedCrossEntropy(Storage logits, int[] shape, Storage target, Storage weight, boolean withGrad) {
        needFloat("cross-entropy", logits);
        return CpuFused.weightedCrossEntropy(c(logits), shape, c(target), c(weight), withGrad);
    }

    @Override
    public Storage[] classWeightedCrossEntropy(Storage logits, int[] shape, Storage weights, double clampMin, boolean withGrad) {
        needFloat("class-weighted cross-entropy", logits);
        return CpuFused.classWeightedCrossEntropy(c(logits), shape, c(weights), clampMin, withGrad);
    }

    @Override
    public void optimizerUpdate(OptimizerUpdate update, Storage param, Storage grad, Storage[] state) {
        needFloat("optimizer update", param);
        CpuStorage[] st = new CpuStorage[state.length];
        for (int k = 0; k < st.length; k++) st[k] = c(state[k]);
        CpuFused.optimizerUpdate(update, c(param), c(grad), st);
    }

    @Override
    public void synchronize() {
        // CPU ops complete before they return
    }

    @Override
    public MemoryStats memoryStats() {
        long inUse = CpuStorage.inUseBytes();
        return new MemoryStats(inUse, inUse + CpuBufferPool.heldBytes(), CpuStorage.peakBytes());
    }

    @Override
    public void resetPeakMemory() { CpuStorage.resetPeak(); }

    // ------------------------------------------------------------------ indexing and random
    @Override
    public Storage indexSelect(Storage s, Layout l, int dim, Storage index, int indexLen) {
        return CpuIndexing.indexSelect(c(s), l, dim, c(index), indexLen);
    }

    @Override
    public Storage gather(Storage s, Layout l, int dim, Storage index, Layout li) {
        return CpuIndexing.gather(c(s), l, dim, c(index), li);
    }

    @Override
    public Storage scatterAdd(int[] shape, int dim, Storage index, Layout li, Storage src, Layout ls, DType dtype) {
        return CpuIndexing.scatterAdd(shape, dim, c(index), li, c(src), ls, dtype);
    }

    @Override
    public Storage random(Rng.Distribution dist, DType dtype, int numel, long seed, long counter) {
        CpuStorage out = CpuStorage.allocate(dtype, numel);
        Parallel.forRange(numel, 16384, (from, to) -> {
            if (dist == Rng.Distribution.UNIFORM) {
                if (dtype == DType.F32) {
                    float[] o = out.f32();
                    for (int i = from; i < to; i++) o[i] = Rng.uniformFloat(seed, counter + i);
                } else {
                    for (int i = from; i < to; i++) out.set(i, Rng.uniformDouble(seed, counter + i));
                }
            } else {
                for (int i = from; i < to; i++) out.set(i, Rng.normal(seed, counter, i));
            }
        });
        return out;
    }
}
