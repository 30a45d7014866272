package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Storage;

/**
 * Convolutions, transposed convolutions and their bias terms with cuDNN (the conv2d* and
 * convTranspose2d* ops of the SPI). Transposed convolution is the adjoint of convolution: with the
 * weight [c, oc, kh, kw] read as a filter of K = c outputs and C = oc inputs, its forward is cuDNN's
 * backward-data, its input gradient is cuDNN's forward, its weight gradient is backward-filter with
 * the roles of x and dy swapped. Algorithms are timed once per shape with cudnnFind*Ex on the call's
 * own buffers and a workspace from the caching allocator (so Find never allocates behind the cache's
 * back), and cached; the chosen algorithm's workspace comes from the allocator too.
 */
final class CudnnConvolutions {
    /** Which of the three tensors a cuDNN convolution call computes from the other two. */
    enum Direction { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    /** The most workspace offered to Find (PyTorch offers up to what the allocator can give; 1 GiB covers U-Net layers). */
    static final long FIND_WORKSPACE_CAP = 1L << 30;

    private final CudaBackend b;
    private final Map<String, CudnnLibrary.Algo> algos = new ConcurrentHashMap<>();

    CudnnConvolutions(CudaBackend b) { this.b = b; }

    static MemorySegment seg(Storage s) { return s == null ? MemorySegment.NULL : MemorySegment.ofAddress(CudaBackend.c(s).address()); }

    private static int numel(int[] s) { return s[0] * s[1] * s[2] * s[3]; }

    /**
     * The workspace offered to Find: at most {@link #FIND_WORKSPACE_CAP} and half of what the device
     * and the cache could still give, so that the timed algorithms leave room for the step's tensors.
     */
    static long findWorkspaceBytes(long allocatable) {
        return Math.max(0, Math.min(FIND_WORKSPACE_CAP, allocatable / 2));
    }

    /** Allocates a Find workspace of up to {@code bytes}, halving on out-of-memory; null for none. */
    private CachingAllocator.Block findWorkspace(long bytes) {
        for (long n = bytes; n >= 1 << 20; n /= 2) {
            try {
                return b.allocator().allocate(n, b.streamAddress());
            } catch (CudaException e) {
                if (!e.getMessage().contains("out of device memory")) throw e;
            }
        }
        return null;
    }

    /**
     * One cuDNN convolution call. "x" is the convolution input [n, C, h, w], "w" the filter [K, C, kh, kw],
     * "y" the output [n, K, oh, ow]; the direction says which one is computed from the other two.
     */
    private void run(Direction dir, DType dtype, int[] xs, int[] fs, int[] ys, ConvParams p, Storage x, Storage w, Storage y) {
        CudnnLibrary dnn = CudnnLibrary.get();
        int dt = CudnnLibrary.dataType(dtype);
        boolean tf32 = CudaBackend.tf32();
        b.makeCurrent();
        MemorySegment h = b.cudnn();
        try (Arena a = Arena.ofConfined();
             CudnnDescriptor xd = CudnnDescriptor.tensor(dnn, dt, xs[0], xs[1], xs[2], xs[3]);
             CudnnDescriptor yd = CudnnDescriptor.tensor(dnn, dt, ys[0], ys[1], ys[2], ys[3]);
             CudnnDescriptor wd = CudnnDescriptor.filter(dnn, dt, fs[0], fs[1], fs[2], fs[3]);
             CudnnDescriptor cd = CudnnDescriptor.convolution(dnn, dt, p.padH(), p.padW(), p.strideH(), p.strideW(),
                     p.dilationH(), p.dilationW(), tf32)) {
            String key = dir + " " + dtype + " " + (tf32 && dtype == DType.F32) + " " + Arrays.toString(xs) + Arrays.toString(fs)
                    + Arrays.toString(ys) + p;
            CudnnLibrary.Algo algo = algos.get(key);
            if (algo == null) {
                algo = find(dnn, dir, h, xd, yd, wd, cd, x, w, y, a, tf32, dt, key);
                algos.put(key, algo);
            }
            // cuDNN selects the kernel by algorithm and math type together: run it under the math type Find reported
            dnn.call("cudnnSetConvolutionMathType", cd.handle(), algo.mathType());
            CachingAllocator.Block ws = algo.workspace() > 0 ? b.allocator().allocate(algo.workspace(), b.streamAddress()) : null;
            try {
                MemorySegment wsp = ws == null ? MemorySegment.NULL : MemorySegment.ofAddress(ws.address());
                MemorySegment one = CudnnLibrary.scalar(a, dt, 1), zero = CudnnLibrary.scalar(a, dt, 0);
                jcuda.driver.CUevent t = b.profiler.begin();
                switch (dir) {
                    case FORWARD -> dnn.call("cudnnConvolutionForward", h, one, xd.handle(), seg(x), wd.handle(), seg(w),
                            cd.handle(), algo.algo(), wsp, algo.workspace(), zero, yd.handle(), seg(y));
                    case BACKWARD_DATA -> dnn.call("cudnnConvolutionBackwardData", h, one, wd.handle(), seg(w), yd.handle(),
                            seg(y), cd.handle(), algo.algo(), wsp, algo.workspace(), zero, xd.handle(), seg(x));
                    case BACKWARD_FILTER -> dnn.call("cudnnConvolutionBackwardFilter", h, one, xd.handle(), seg(x), yd.handle(),
                            seg(y), cd.handle(), algo.algo(), wsp, algo.workspace(), zero, wd.handle(), seg(w));
                }
                b.profiler.end(t, "cudnn conv " + dir + " " + dtype + (tf32 && dtype == DType.F32 ? " tf32" : ""));
            } finally {
                if (ws != null) b.allocator().free(ws); // stream order: later users run after this call
            }
        }
    }

    /** Times the algorithms of one shape with cudnnFind*Ex (writing into the call's output buffer) and picks one. */
    private CudnnLibrary.Algo find(CudnnLibrary dnn, Direction dir, MemorySegment h, CudnnDescriptor xd, CudnnDescriptor yd,
                                   CudnnDescriptor wd, CudnnDescriptor cd, Storage x, Storage w, Storage y, Arena a,
                                   boolean tf32, int dt, String key) {
        MemorySegment perf = a.allocate((long) CudnnLibrary.PERF_SIZE * 8, 8);
        MemorySegment count = a.allocate(JAVA_INT);
        CachingAllocator.Block ws = findWorkspace(findWorkspaceBytes(b.allocator().allocatable()));
        try {
            MemorySegment wsp = ws == null ? MemorySegment.NULL : MemorySegment.ofAddress(ws.address());
            long wsBytes = ws == null ? 0 : ws.size();
            switch (dir) {
                case FORWARD -> dnn.call("cudnnFindConvolutionForwardAlgorithmEx", h, xd.handle(), seg(x), wd.handle(), seg(w),
                        cd.handle(), yd.handle(), seg(y), 8, count, perf, wsp, wsBytes);
                case BACKWARD_DATA -> dnn.call("cudnnFindConvolutionBackwardDataAlgorithmEx", h, wd.handle(), seg(w), yd.handle(),
                        seg(y), cd.handle(), xd.handle(), seg(x), 8, count, perf, wsp, wsBytes);
                case BACKWARD_FILTER -> dnn.call("cudnnFindConvolutionBackwardFilterAlgorithmEx", h, xd.handle(), seg(x),
                        yd.handle(), seg(y), cd.handle(), wd.handle(), seg(w), 8, count, perf, wsp, wsBytes);
            }
        } finally {
            if (ws != null) b.allocator().free(ws);
        }
        return CudnnLibrary.pick(perf, count.get(JAVA_INT, 0), tf32, dt, "convolution " + key);
    }

    /** y[n, c, :, :] += bias[c] (cudnnAddTensor broadcasting a 1 x c x 1 x 1 tensor). */
    private void addBias(DType dtype, Storage bias, int[] ys, Storage y) {
        CudnnLibrary dnn = CudnnLibrary.get();
        int dt = CudnnLibrary.dataType(dtype);
        try (Arena a = Arena.ofConfined(); CudnnDescriptor bd = CudnnDescriptor.tensor(dnn, dt, 1, ys[1], 1, 1);
             CudnnDescriptor yd = CudnnDescriptor.tensor(dnn, dt, ys[0], ys[1], ys[2], ys[3])) {
            jcuda.driver.CUevent t = b.profiler.begin();
            dnn.call("cudnnAddTensor", b.cudnn(), CudnnLibrary.scalar(a, dt, 1), bd.handle(), seg(bias), CudnnLibrary.scalar(a, dt, 1),
                    yd.handle(), seg(y));
            b.profiler.end(t, "cudnn add bias");
        }
    }

    /** db[c] = sum over n, h, w of dy[n, c, h, w]. */
    private Storage biasGrad(DType dtype, Storage dy, int[] ys) {
        CudnnLibrary dnn = CudnnLibrary.get();
        int dt = CudnnLibrary.dataType(dtype);
        CudaStorage db = b.alloc(dtype, ys[1]);
        try (Arena a = Arena.ofConfined(); CudnnDescriptor bd = CudnnDescriptor.tensor(dnn, dt, 1, ys[1], 1, 1);
             CudnnDescriptor yd = CudnnDescriptor.tensor(dnn, dt, ys[0], ys[1], ys[2], ys[3])) {
            jcuda.driver.CUevent t = b.profiler.begin();
            dnn.call("cudnnConvolutionBackwardBias", b.cudnn(), CudnnLibrary.scalar(a, dt, 1), yd.handle(), seg(dy),
                    CudnnLibrary.scalar(a, dt, 0), bd.handle(), seg(db));
            b.profiler.end(t, "cudnn bias gradient");
        } catch (RuntimeException e) {
            db.free();
            throw e;
        }
        return db;
    }

    /** Allocates an output, runs {@code body} on it and frees it when body throws. */
    private CudaStorage output(DType dt, int[] shape, java.util.function.Consumer<CudaStorage> body) {
        CudaStorage out = b.alloc(dt, numel(shape));
        try {
            body.accept(out);
            return out;
        } catch (RuntimeException e) {
            out.free();
            throw e;
        }
    }

    Storage conv2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        int[] ys = {xs[0], ws[0], p.convOutH(xs[2], ws[2]), p.convOutW(xs[3], ws[3])};
        return output(x.dtype(), ys, y -> {
            run(Direction.FORWARD, x.dtype(), xs, ws, ys, p, x, w, y);
            if (bias != null) addBias(x.dtype(), bias, ys, y);
        });
    }

    Storage conv2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        int[] ys = {xs[0], ws[0], p.convOutH(xs[2], ws[2]), p.convOutW(xs[3], ws[3])};
        return output(dy.dtype(), xs, dx -> run(Direction.BACKWARD_DATA, dy.dtype(), xs, ws, ys, p, dx, w, dy));
    }

    Storage[] conv2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        int[] ys = {xs[0], ws[0], p.convOutH(xs[2], ws[2]), p.convOutW(xs[3], ws[3])};
        CudaStorage dw = output(x.dtype(), ws, o -> run(Direction.BACKWARD_FILTER, x.dtype(), xs, ws, ys, p, x, o, dy));
        return new Storage[]{dw, withBias ? biasGradOrFree(x.dtype(), dy, ys, dw) : null};
    }

    private Storage biasGradOrFree(DType dt, Storage dy, int[] ys, CudaStorage alsoFree) {
        try {
            return biasGrad(dt, dy, ys);
        } catch (RuntimeException e) {
            alsoFree.free();
            throw e;
        }
    }

    /** Output shape of the transposed convolution: [n, oc, (h-1)s - 2p + d(k-1) + op + 1, ...]. */
    private static int[] transposedShape(int[] xs, int[] ws, ConvParams p) {
        return new int[]{xs[0], ws[1], p.transposedOutH(xs[2], ws[2]), p.transposedOutW(xs[3], ws[3])};
    }

    Storage convTranspose2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        int[] ys = transposedShape(xs, ws, p);
        // y plays the convolution input, x the convolution output: y = backward-data(w, x)
        return output(x.dtype(), ys, y -> {
            run(Direction.BACKWARD_DATA, x.dtype(), ys, ws, xs, p, y, w, x);
            if (bias != null) addBias(x.dtype(), bias, ys, y);
        });
    }

    Storage convTranspose2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        int[] ys = transposedShape(xs, ws, p);
        return output(dy.dtype(), xs, dx -> run(Direction.FORWARD, dy.dtype(), ys, ws, xs, p, dy, w, dx));
    }

    Storage[] convTranspose2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        int[] ys = transposedShape(xs, ws, p);
        CudaStorage dw = output(x.dtype(), ws, o -> run(Direction.BACKWARD_FILTER, x.dtype(), ys, ws, xs, p, dy, o, x));
        return new Storage[]{dw, withBias ? biasGradOrFree(x.dtype(), dy, ys, dw) : null};
    }
}
