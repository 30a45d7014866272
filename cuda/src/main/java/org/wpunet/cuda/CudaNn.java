package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Storage;

/**
 * Convolutions and batch norm with cuDNN. Transposed convolution is the adjoint of convolution:
 * with the weight [c, oc, kh, kw] read as a filter of K = c outputs and C = oc inputs, its forward
 * is cuDNN's backward-data, its input gradient is cuDNN's forward, its weight gradient is
 * backward-filter with the roles of x and dy swapped. Algorithms are found once per shape with
 * cudnnFind* and cached; workspaces come from the backend's caching allocator.
 */
final class CudaNn {
    private enum Kind { FWD, BWD_DATA, BWD_FILTER }

    private final CudaBackend b;
    private final Map<String, Cudnn.Algo> algos = new ConcurrentHashMap<>();
    private MemorySegment handle;

    CudaNn(CudaBackend b) { this.b = b; }

    private synchronized MemorySegment handle() {
        if (handle == null) handle = Cudnn.get().createHandle(b.streamAddress());
        return handle;
    }

    private static MemorySegment seg(Storage s) { return s == null ? MemorySegment.NULL : MemorySegment.ofAddress(CudaBackend.c(s).address()); }

    /**
     * One cuDNN convolution call. "x" is the convolution input [n, C, h, w], "w" the filter [K, C, kh, kw],
     * "y" the output [n, K, oh, ow]; kind says which one is computed from the other two.
     */
    private void conv(Kind kind, DType dtype, int[] xs, int[] fs, int[] ys, ConvParams p, Storage x, Storage w, Storage y) {
        Cudnn dnn = Cudnn.get();
        int dt = Cudnn.dataType(dtype);
        boolean tf32 = CudaBackend.tf32();
        b.makeCurrent();
        MemorySegment h = handle();
        MemorySegment xd = null, yd = null, wd = null, cd = null;
        try (Arena a = Arena.ofConfined()) {
            // created inside the try so that a failure on a later one still destroys the earlier ones
            xd = dnn.tensor4d(dt, xs[0], xs[1], xs[2], xs[3]);
            yd = dnn.tensor4d(dt, ys[0], ys[1], ys[2], ys[3]);
            wd = dnn.filter4d(dt, fs[0], fs[1], fs[2], fs[3]);
            cd = dnn.conv2d(dt, p.padH(), p.padW(), p.strideH(), p.strideW(), p.dilationH(), p.dilationW(), tf32);
            String key = kind + " " + dtype + " " + (tf32 && dtype == DType.F32) + " " + java.util.Arrays.toString(xs) + java.util.Arrays.toString(fs)
                    + java.util.Arrays.toString(ys) + p;
            MemorySegment fx = xd, fy = yd, fw = wd, fc = cd;
            Cudnn.Algo algo = algos.computeIfAbsent(key, k -> {
                MemorySegment perf = a.allocate((long) Cudnn.PERF_SIZE * 8, 8);
                MemorySegment count = a.allocate(JAVA_INT);
                switch (kind) {
                    case FWD -> dnn.call("cudnnFindConvolutionForwardAlgorithm", h, fx, fw, fc, fy, 8, count, perf);
                    case BWD_DATA -> dnn.call("cudnnFindConvolutionBackwardDataAlgorithm", h, fw, fy, fc, fx, 8, count, perf);
                    case BWD_FILTER -> dnn.call("cudnnFindConvolutionBackwardFilterAlgorithm", h, fx, fy, fc, fw, 8, count, perf);
                }
                return Cudnn.pick(perf, count.get(JAVA_INT, 0), tf32, dt, "convolution " + kind + " " + key);
            });
            // cuDNN selects the kernel by algorithm and math type together: run it under the math type Find reported
            dnn.call("cudnnSetConvolutionMathType", cd, algo.mathType());
            CachingAllocator.Block ws = algo.workspace() > 0 ? b.allocator().allocate(algo.workspace(), b.streamAddress()) : null;
            try {
                MemorySegment wsp = ws == null ? MemorySegment.NULL : MemorySegment.ofAddress(ws.address());
                MemorySegment one = Cudnn.scalar(a, dt, 1), zero = Cudnn.scalar(a, dt, 0);
                jcuda.driver.CUevent t = b.profiler.begin();
                switch (kind) {
                    case FWD -> dnn.call("cudnnConvolutionForward", h, one, xd, seg(x), wd, seg(w), cd, algo.algo(), wsp,
                            algo.workspace(), zero, yd, seg(y));
                    case BWD_DATA -> dnn.call("cudnnConvolutionBackwardData", h, one, wd, seg(w), yd, seg(y), cd, algo.algo(),
                            wsp, algo.workspace(), zero, xd, seg(x));
                    case BWD_FILTER -> dnn.call("cudnnConvolutionBackwardFilter", h, one, xd, seg(x), yd, seg(y), cd,
                            algo.algo(), wsp, algo.workspace(), zero, wd, seg(w));
                }
                b.profiler.end(t, "cudnn conv " + kind + " " + dtype + (tf32 && dtype == DType.F32 ? " tf32" : ""));
            } finally {
                if (ws != null) b.allocator().free(ws); // stream order: later users run after this call
            }
        } finally {
            if (xd != null) dnn.call("cudnnDestroyTensorDescriptor", xd);
            if (yd != null) dnn.call("cudnnDestroyTensorDescriptor", yd);
            if (wd != null) dnn.call("cudnnDestroyFilterDescriptor", wd);
            if (cd != null) dnn.call("cudnnDestroyConvolutionDescriptor", cd);
        }
    }

    /** y[n, c, :, :] += bias[c] (cudnnAddTensor broadcasting a 1 x c x 1 x 1 tensor). */
    private void addBias(DType dtype, Storage bias, int[] ys, Storage y) {
        Cudnn dnn = Cudnn.get();
        int dt = Cudnn.dataType(dtype);
        MemorySegment bd = dnn.tensor4d(dt, 1, ys[1], 1, 1), yd = dnn.tensor4d(dt, ys[0], ys[1], ys[2], ys[3]);
        try (Arena a = Arena.ofConfined()) {
            jcuda.driver.CUevent t = b.profiler.begin();
            dnn.call("cudnnAddTensor", handle(), Cudnn.scalar(a, dt, 1), bd, seg(bias), Cudnn.scalar(a, dt, 1), yd, seg(y));
            b.profiler.end(t, "cudnn add bias");
        } finally {
            dnn.call("cudnnDestroyTensorDescriptor", bd);
            dnn.call("cudnnDestroyTensorDescriptor", yd);
        }
    }

    /** db[c] = sum over n, h, w of dy[n, c, h, w]. */
    private Storage biasGrad(DType dtype, Storage dy, int[] ys) {
        Cudnn dnn = Cudnn.get();
        int dt = Cudnn.dataType(dtype);
        Storage db = b.alloc(dtype, ys[1]);
        MemorySegment bd = dnn.tensor4d(dt, 1, ys[1], 1, 1), yd = dnn.tensor4d(dt, ys[0], ys[1], ys[2], ys[3]);
        try (Arena a = Arena.ofConfined()) {
            jcuda.driver.CUevent t = b.profiler.begin();
            dnn.call("cudnnConvolutionBackwardBias", handle(), Cudnn.scalar(a, dt, 1), yd, seg(dy), Cudnn.scalar(a, dt, 0), bd, seg(db));
            b.profiler.end(t, "cudnn bias gradient");
        } finally {
            dnn.call("cudnnDestroyTensorDescriptor", bd);
            dnn.call("cudnnDestroyTensorDescriptor", yd);
        }
        return db;
    }

    private static int numel(int[] s) { return s[0] * s[1] * s[2] * s[3]; }

    Storage conv2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        int[] ys = {xs[0], ws[0], p.convOutH(xs[2], ws[2]), p.convOutW(xs[3], ws[3])};
        Storage y = b.alloc(x.dtype(), numel(ys));
        conv(Kind.FWD, x.dtype(), xs, ws, ys, p, x, w, y);
        if (bias != null) addBias(x.dtype(), bias, ys, y);
        return y;
    }

    Storage conv2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        int[] ys = {xs[0], ws[0], p.convOutH(xs[2], ws[2]), p.convOutW(xs[3], ws[3])};
        Storage dx = b.alloc(dy.dtype(), numel(xs));
        conv(Kind.BWD_DATA, dy.dtype(), xs, ws, ys, p, dx, w, dy);
        return dx;
    }

    Storage[] conv2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        int[] ys = {xs[0], ws[0], p.convOutH(xs[2], ws[2]), p.convOutW(xs[3], ws[3])};
        Storage dw = b.alloc(x.dtype(), numel(ws));
        conv(Kind.BWD_FILTER, x.dtype(), xs, ws, ys, p, x, dw, dy);
        return new Storage[]{dw, withBias ? biasGrad(x.dtype(), dy, ys) : null};
    }

    /** Output shape of the transposed convolution: [n, oc, (h-1)s - 2p + d(k-1) + op + 1, ...]. */
    private static int[] tShape(int[] xs, int[] ws, ConvParams p) {
        return new int[]{xs[0], ws[1], p.transposedOutH(xs[2], ws[2]), p.transposedOutW(xs[3], ws[3])};
    }

    Storage convTranspose2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        int[] ys = tShape(xs, ws, p);
        Storage y = b.alloc(x.dtype(), numel(ys));
        // y plays the convolution input, x the convolution output: y = backward-data(w, x)
        conv(Kind.BWD_DATA, x.dtype(), ys, ws, xs, p, y, w, x);
        if (bias != null) addBias(x.dtype(), bias, ys, y);
        return y;
    }

    Storage convTranspose2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        int[] ys = tShape(xs, ws, p);
        Storage dx = b.alloc(dy.dtype(), numel(xs));
        conv(Kind.FWD, dy.dtype(), ys, ws, xs, p, dy, w, dx);
        return dx;
    }

    Storage[] convTranspose2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        int[] ys = tShape(xs, ws, p);
        Storage dw = b.alloc(x.dtype(), numel(ws));
        conv(Kind.BWD_FILTER, x.dtype(), ys, ws, xs, p, dy, dw, x);
        return new Storage[]{dw, withBias ? biasGrad(x.dtype(), dy, ys) : null};
    }

    // ---- batch norm (cuDNN spatial mode; running = (1 - momentum) running + momentum batch, unbiased variance) ----
    private Storage orFill(Storage s, DType dt, int n, double v) { return s != null ? s : b.full(dt, n, v); }

    Storage[] batchNorm(Storage x, int[] xs, Storage gamma, Storage beta, Storage rm, Storage rv, boolean training,
                        double momentum, double eps) {
        Cudnn dnn = Cudnn.get();
        DType t = x.dtype();
        int dt = Cudnn.dataType(t), ch = xs[1];
        b.makeCurrent();
        Storage g = orFill(gamma, t, ch, 1), be = orFill(beta, t, ch, 0);
        boolean batchStats = training || rm == null || rv == null;
        Storage y = b.alloc(t, numel(xs));
        Storage sm = training ? b.alloc(t, ch) : null, si = training ? b.alloc(t, ch) : null;
        MemorySegment xd = dnn.tensor4d(dt, xs[0], xs[1], xs[2], xs[3]), pd = dnn.tensor4d(dt, 1, ch, 1, 1);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = Cudnn.scalar(a, dt, 1), zero = Cudnn.scalar(a, dt, 0);
            jcuda.driver.CUevent ev = b.profiler.begin();
            if (batchStats) {
                dnn.call("cudnnBatchNormalizationForwardTraining", handle(), Cudnn.BN_SPATIAL, one, zero, xd, seg(x), xd, seg(y),
                        pd, seg(g), seg(be), momentum, training ? seg(rm) : MemorySegment.NULL,
                        training ? seg(rv) : MemorySegment.NULL, eps, seg(sm), seg(si));
            } else {
                dnn.call("cudnnBatchNormalizationForwardInference", handle(), Cudnn.BN_SPATIAL, one, zero, xd, seg(x), xd, seg(y),
                        pd, seg(g), seg(be), seg(rm), seg(rv), eps);
            }
            b.profiler.end(ev, batchStats ? "cudnn batchnorm forward training" : "cudnn batchnorm forward inference");
        } finally {
            dnn.call("cudnnDestroyTensorDescriptor", xd);
            dnn.call("cudnnDestroyTensorDescriptor", pd);
            if (gamma == null) ((CudaStorage) g).free();
            if (beta == null) ((CudaStorage) be).free();
        }
        return training ? new Storage[]{y, sm, si} : new Storage[]{y};
    }

    Storage[] batchNormBackward(Storage x, Storage dy, int[] xs, Storage gamma, Storage saveMean, Storage saveInvStd) {
        Cudnn dnn = Cudnn.get();
        DType t = x.dtype();
        int dt = Cudnn.dataType(t), ch = xs[1];
        b.makeCurrent();
        Storage g = orFill(gamma, t, ch, 1);
        Storage dx = b.alloc(t, numel(xs)), dg = b.alloc(t, ch), db = b.alloc(t, ch);
        MemorySegment xd = dnn.tensor4d(dt, xs[0], xs[1], xs[2], xs[3]), pd = dnn.tensor4d(dt, 1, ch, 1, 1);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = Cudnn.scalar(a, dt, 1), zero = Cudnn.scalar(a, dt, 0);
            // epsilon is unused when the saved mean and inverse std are given
            jcuda.driver.CUevent ev = b.profiler.begin();
            dnn.call("cudnnBatchNormalizationBackward", handle(), Cudnn.BN_SPATIAL, one, zero, one, zero, xd, seg(x), xd, seg(dy),
                    xd, seg(dx), pd, seg(g), seg(dg), seg(db), 1e-5, seg(saveMean), seg(saveInvStd));
            b.profiler.end(ev, "cudnn batchnorm backward");
        } finally {
            dnn.call("cudnnDestroyTensorDescriptor", xd);
            dnn.call("cudnnDestroyTensorDescriptor", pd);
            if (gamma == null) ((CudaStorage) g).free();
        }
        return new Storage[]{dx, dg, db};
    }
}
