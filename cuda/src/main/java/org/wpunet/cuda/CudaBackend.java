package org.wpunet.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
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

/**
 * The CUDA backend of one device: one stream, a caching allocator, cuBLAS/cuDNN handles on that
 * stream, and the kernels of src/main/cuda loaded as PTX. Ops are asynchronous on the stream;
 * {@link #toHost} and index-checking ops synchronise. Neural-network ops live in {@link CudaNn}.
 */
public final class CudaBackend implements Backend {
    /** Allows TF32 tensor-core math in FP32 convolutions and GEMMs (core's {@link org.wpunet.core.Precision} switch). */
    public static void setTf32(boolean on) { org.wpunet.core.Precision.setAllowTf32(on); }

    /** Whether TF32 is allowed now (-Dwpunet.tf32=true or Precision.setAllowTf32). */
    public static boolean tf32() { return org.wpunet.core.Precision.allowTf32(); }

    static final String[] MODULES = {"elementwise", "reduce", "nn"};

    private final Device device;
    private final CUcontext ctx = new CUcontext();
    private final Driver.Stream stream = new Driver.Stream();
    private final String name;
    private final int maxBlocks;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<Long, Driver.DevPtr> pointers = new ConcurrentHashMap<>();
    private final CachingAllocator allocator;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private Pointer pinned;
    private ByteBuffer pinnedBuf;
    static final int PINNED_BYTES = 16 << 20;
    final CudaNn nn;
    final CudaProfiler profiler;
    private MemorySegment cublasHandle;

    CudaBackend(int index) {
        device = Device.cuda(index);
        CUdevice dev = new CUdevice();
        Driver.check(cuDeviceGet(dev, index), "cuDeviceGet(" + index + ")");
        Driver.check(cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        byte[] nm = new byte[256];
        Driver.check(cuDeviceGetName(nm, nm.length, dev), "cuDeviceGetName");
        int[] sms = new int[1];
        Driver.check(cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev),
                "cuDeviceGetAttribute");
        maxBlocks = Math.max(1, sms[0]) * 32;
        long[] free = new long[1], total = new long[1];
        Driver.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        name = new String(nm, StandardCharsets.US_ASCII).trim().replace("\0", "") + ", "
                + (total[0] >> 20) + " MiB, " + sms[0] + " SMs";
        Driver.check(cuStreamCreate(stream, 0), "cuStreamCreate");
        for (String m : MODULES) loadModule(m);
        allocator = new CachingAllocator(new CachingAllocator.RawMemory() {
            @Override
            public long malloc(long bytes) {
                Driver.DevPtr p = new Driver.DevPtr();
                int rc = cuMemAlloc(p, bytes);
                if (rc == jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY) throw new CachingAllocator.OutOfMemory("cuMemAlloc");
                Driver.check(rc, "cuMemAlloc(" + bytes + ")");
                pointers.put(p.address(), p);
                return p.address();
            }

            @Override
            public void free(long address) {
                Driver.DevPtr p = pointers.remove(address);
                Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
                Driver.check(cuMemFree(p), "cuMemFree");
            }
        });
        pinned = new Pointer();
        Driver.check(cuMemAllocHost(pinned, PINNED_BYTES), "cuMemAllocHost");
        pinnedBuf = pinned.getByteBuffer(0, PINNED_BYTES).order(ByteOrder.nativeOrder());
        nn = new CudaNn(this);
        profiler = new CudaProfiler(stream);
    }

    private void loadModule(String m) {
        String ptx;
        try (InputStream in = CudaBackend.class.getResourceAsStream("ptx/" + m + ".ptx")) {
            if (in == null) throw new IllegalStateException("PTX resource org/wpunet/cuda/ptx/" + m + ".ptx is missing");
            ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read PTX " + m, e);
        }
        CUmodule mod = new CUmodule();
        Driver.check(cuModuleLoadData(mod, ptx), "cuModuleLoadData(" + m + ".ptx)");
        for (String entry : CudaPtx.entries(ptx)) {
            CUfunction f = new CUfunction();
            Driver.check(cuModuleGetFunction(f, mod, entry), "cuModuleGetFunction(" + entry + ")");
            functions.put(entry, f);
        }
    }

    /** Binds this device's primary context to the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            Driver.check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    CachingAllocator allocator() { return allocator; }

    long streamAddress() { return stream.address(); }

    Driver.Stream stream() { return stream; }

    synchronized MemorySegment cublas() {
        if (cublasHandle == null) cublasHandle = Cublas.get().createHandle(stream.address());
        return cublasHandle;
    }

    /** Allocator statistics (bytes in use, reserved from the device, peak in use, cached). */
    public CachingAllocator.Stats allocatorStats() { return allocator.stats(); }

    /** Returns cached blocks to the device (after the stream has finished with them). */
    public void emptyCache() {
        makeCurrent();
        allocator.emptyCache();
    }

    /** Waits until every queued op has finished. */
    @Override
    public void synchronize() {
        makeCurrent();
        Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public Device device() { return device; }

    @Override
    public String describe() {
        String blas, dnn;
        try { blas = Cublas.get().lib.name(); } catch (RuntimeException e) { blas = "unavailable: " + e.getMessage(); }
        try { dnn = String.valueOf(Cudnn.get().version()); } catch (RuntimeException e) { dnn = "unavailable: " + e.getMessage(); }
        return device + ": " + name + ", cuBLAS " + blas + ", cuDNN " + dnn + (tf32() ? ", TF32 on" : ", exact FP32");
    }

    // ------------------------------------------------------------------ helpers
    CudaStorage alloc(DType dt, int numel) {
        makeCurrent();
        CachingAllocator.Block b = allocator.allocate((long) numel * dt.byteSize(), stream.address());
        return new CudaStorage(this, dt, numel, b);
    }

    static CudaStorage c(Storage s) {
        if (s == null) return null;
        if (!(s instanceof CudaStorage cs)) throw new IllegalArgumentException("the cuda backend got a storage on " + s.device());
        return cs;
    }

    static Pointer ptr(long address) { return Pointer.to(new long[]{address}); }

    static Pointer ptr(Storage s) { return s == null ? ptr(0L) : ptr(c(s).address()); }

    static Pointer i(int v) { return Pointer.to(new int[]{v}); }

    static Pointer i(DType dt) { return Pointer.to(new int[]{dt.ordinal()}); }

    static Pointer d(double v) { return Pointer.to(new double[]{v}); }

    static Pointer f(float v) { return Pointer.to(new float[]{v}); }

    static Pointer lay(Layout l, String op) { return Pointer.to(Launch.lay(l, op)); }

    /** Launches a grid-stride kernel over n elements. */
    void launch(String kernel, long n, Pointer... args) {
        int blocks = Launch.blocks(n, Launch.THREADS, maxBlocks);
        if (blocks > 0) launchGrid(kernel, blocks, Launch.THREADS, args);
    }

    void launchGrid(String kernel, int blocks, int threads, Pointer... args) {
        makeCurrent();
        CUfunction f = functions.get(kernel);
        if (f == null) throw new IllegalStateException("kernel " + kernel + " is not in the loaded PTX");
        jcuda.driver.CUevent t = profiler.begin();
        Driver.check(cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0, stream, Pointer.to(args), null),
                "launch " + kernel + " (" + blocks + "x" + threads + ")");
        profiler.end(t, kernel);
    }

    private Driver.DevPtr devPtr(CudaStorage s) {
        Driver.DevPtr p = pointers.get(s.address());
        if (p == null) throw new IllegalStateException("unknown device block");
        return p;
    }

    // ------------------------------------------------------------------ memory and copies
    @Override
    public Storage zeros(DType dtype, int numel) {
        CudaStorage s = alloc(dtype, numel);
        if (numel > 0) Driver.check(cuMemsetD8Async(devPtr(s), (byte) 0, s.bytes(), stream), "cuMemsetD8Async");
        return s;
    }

    @Override
    public Storage full(DType dtype, int numel, double value) {
        if (value == 0) return zeros(dtype, numel);
        CudaStorage s = alloc(dtype, numel);
        launch("wp_fill", numel, ptr(s), i(dtype), d(value), i(numel));
        return s;
    }

    @Override
    public synchronized Storage fromHost(Object array, DType dtype) {
        int n = HostArrays.length(array, dtype);
        CudaStorage s = alloc(dtype, n);
        long bytes = s.bytes();
        for (long done = 0; done < bytes; done += PINNED_BYTES) {
            int len = (int) Math.min(PINNED_BYTES, bytes - done);
            pinnedBuf.clear();
            HostArrays.put(array, dtype, pinnedBuf, (int) (done / dtype.byteSize()), len / dtype.byteSize());
            Driver.check(cuMemcpyHtoDAsync(devPtr(s).withByteOffset(done), pinned, len, stream), "cuMemcpyHtoDAsync");
            Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize"); // the staging buffer is reused
        }
        return s;
    }

    @Override
    public synchronized Object toHost(Storage s, Layout l) {
        CudaStorage src = c(s);
        boolean direct = l.isCompact() && l.numel() == s.numel();
        CudaStorage compact = direct ? src : (CudaStorage) copy(s, l, s.dtype());
        try {
            Object out = HostArrays.allocate(s.dtype(), l.numel());
            long bytes = (long) l.numel() * s.dtype().byteSize();
            for (long done = 0; done < bytes; done += PINNED_BYTES) {
                int len = (int) Math.min(PINNED_BYTES, bytes - done);
                Driver.check(cuMemcpyDtoHAsync(pinned, devPtr(compact).withByteOffset(done), len, stream), "cuMemcpyDtoHAsync");
                Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
                pinnedBuf.clear();
                HostArrays.get(out, s.dtype(), pinnedBuf, (int) (done / s.dtype().byteSize()), len / s.dtype().byteSize());
            }
            return out;
        } finally {
            if (!direct) compact.free();
        }
    }

    @Override
    public Storage copy(Storage s, Layout l, DType to) {
        int n = l.numel();
        CudaStorage out = alloc(to, n);
        launch("wp_copy", n, ptr(s), i(s.dtype()), lay(l, "copy"), ptr(out), i(to), lay(Layout.contiguous(l.shape()), "copy"),
                i(0), i(n));
        return out;
    }

    @Override
    public void copyInto(Storage src, Layout sl, Storage dst, Layout dl) {
        launch("wp_copy", sl.numel(), ptr(src), i(src.dtype()), lay(sl, "copyInto"), ptr(dst), i(dst.dtype()),
                lay(dl, "copyInto"), i(0), i(sl.numel()));
    }

    @Override
    public void addInto(Storage src, Layout sl, Storage dst, Layout dl) {
        launch("wp_copy", sl.numel(), ptr(src), i(src.dtype()), lay(sl, "addInto"), ptr(dst), i(dst.dtype()),
                lay(dl, "addInto"), i(1), i(sl.numel()));
    }

    // ------------------------------------------------------------------ elementwise
    @Override
    public Storage unary(UnaryOp op, Storage s, Layout l, DType out) {
        int n = l.numel();
        CudaStorage y = alloc(out, n);
        launch("wp_unary", n, i(op.ordinal()), ptr(s), i(s.dtype()), lay(l, "unary"), ptr(y), i(out), i(n));
        return y;
    }

    @Override
    public Storage binary(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, DType out) {
        int n = la.numel();
        CudaStorage y = alloc(out, n);
        launch("wp_binary", n, i(op.ordinal()), ptr(a), i(a.dtype()), lay(la, "binary"), ptr(b), i(b.dtype()),
                lay(lb, "binary"), ptr(y), i(out), i(n));
        return y;
    }

    @Override
    public Storage binaryScalar(BinaryOp op, Storage s, Layout l, double scalar, boolean scalarFirst, DType out) {
        int n = l.numel();
        CudaStorage y = alloc(out, n);
        launch("wp_binary_scalar", n, i(op.ordinal()), ptr(s), i(s.dtype()), lay(l, "binaryScalar"), d(scalar),
                i(scalarFirst ? 1 : 0), ptr(y), i(out), i(n));
        return y;
    }

    @Override
    public Storage where(Storage cond, Layout lc, Storage a, Layout la, Storage b, Layout lb, DType out) {
        int n = la.numel();
        CudaStorage y = alloc(out, n);
        launch("wp_where", n, ptr(cond), i(cond.dtype()), lay(lc, "where"), ptr(a), i(a.dtype()), lay(la, "where"),
                ptr(b), i(b.dtype()), lay(lb, "where"), ptr(y), i(out), i(n));
        return y;
    }

    @Override
    public Storage clamp(Storage s, Layout l, double lo, double hi) {
        int n = l.numel();
        CudaStorage y = alloc(s.dtype(), n);
        launch("wp_clamp", n, ptr(s), i(s.dtype()), lay(l, "clamp"), d(lo), d(hi), ptr(y), i(n));
        return y;
    }

    // ------------------------------------------------------------------ reductions
    /** Reductions longer than this run as (output, chunk) blocks whose F64 partials a second pass sums. */
    private static final int CHUNK_INNER = 1 << 16;

    @Override
    public Storage reduce(ReduceOp op, Storage s, Layout l, int[] dims, DType out) {
        Layout[] kr = Launch.splitReduce(l, dims);
        int outN = kr[0].numel(), inner = kr[1].numel();
        CudaStorage y = alloc(out, outN);
        if (outN == 0) return y;
        int o = op.ordinal();
        if (inner <= 32) {
            launch("wp_reduce_rows", outN, i(o), ptr(s), i(s.dtype()), lay(kr[0], "reduce"), lay(kr[1], "reduce"), i(inner),
                    i(outN), ptr(y), i(out));
            return y;
        }
        boolean sum = op == ReduceOp.SUM || op == ReduceOp.SUM_SQUARES;
        int chunks = sum ? Launch.reduceChunks(outN, inner, CHUNK_INNER, maxBlocks) : 1;
        if (chunks == 1) {
            launchGrid("wp_reduce", outN, Launch.THREADS, i(o), ptr(s), i(s.dtype()), lay(kr[0], "reduce"), lay(kr[1], "reduce"),
                    i(inner), i(1), ptr(y), i(out));
            return y;
        }
        CudaStorage part = alloc(DType.F64, outN * chunks);
        try {
            launchGrid("wp_reduce", outN * chunks, Launch.THREADS, i(o), ptr(s), i(s.dtype()), lay(kr[0], "reduce"),
                    lay(kr[1], "reduce"), i(inner), i(chunks), ptr(part), i(DType.F64));
            Layout pk = new Layout(new int[]{outN}, new int[]{chunks}, 0), pr = Layout.contiguous(chunks);
            launchGrid("wp_reduce", outN, Launch.THREADS, i(ReduceOp.SUM.ordinal()), ptr(part), i(DType.F64), lay(pk, "reduce"),
                    lay(pr, "reduce"), i(chunks), i(1), ptr(y), i(out));
        } finally {
            part.free();
        }
        return y;
    }

    @Override
    public Storage softmax(Storage s, int[] shape, int dim, boolean log) {
        if (s.dtype() != DType.F32 && s.dtype() != DType.F64) {
            throw new IllegalArgumentException("softmax on cuda computes in F32 or F64, got " + s.dtype());
        }
        int outer = 1, inner = 1, n = shape[dim];
        for (int k = 0; k < dim; k++) outer *= shape[k];
        for (int k = dim + 1; k < shape.length; k++) inner *= shape[k];
        CudaStorage y = alloc(s.dtype(), outer * n * inner);
        int rows = outer * inner;
        if (rows == 0 || n == 0) return y;
        if (n <= 32) {
            launch("wp_softmax_rows", rows, ptr(s), i(s.dtype()), ptr(y), i(n), i(inner), i(rows), i(log ? 1 : 0));
        } else {
            launchGrid("wp_softmax", rows, Launch.THREADS, ptr(s), i(s.dtype()), ptr(y), i(n), i(inner), i(log ? 1 : 0));
        }
        return y;
    }

    // ------------------------------------------------------------------ fused training kernels
    @Override
    public Storage[] weightedCrossEntropy(Storage logits, int[] shape, Storage target, Storage weight, boolean withGrad) {
        String sfx = switch (logits.dtype()) {
            case F32 -> "f32";
            case F64 -> "f64";
            default -> throw new IllegalArgumentException("cross-entropy on cuda computes in F32 or F64, got " + logits.dtype());
        };
        int n = shape[0], c = shape[1], hw = 1;
        for (int d = 2; d < shape.length; d++) hw *= shape[d];
        CudaStorage loss = alloc(logits.dtype(), n * hw);
        CudaStorage grad = withGrad ? alloc(logits.dtype(), n * c * hw) : null;
        final int fhw = hw;
        try {
            checkedLaunch("wp_weighted_ce_" + sfx, "cross-entropy target", (long) n * hw, err -> new Pointer[]{ptr(logits),
                    ptr(target), ptr(weight), i(n), i(c), i(fhw), ptr(loss), ptr(grad), err});
        } catch (RuntimeException e) {
            loss.free();
            if (grad != null) grad.free();
            throw e;
        }
        return new Storage[]{loss, grad};
    }

    @Override
    public Storage[] classWeightedCrossEntropy(Storage logits, int[] shape, Storage weights, double clampMin, boolean withGrad) {
        String sfx = switch (logits.dtype()) {
            case F32 -> "f32";
            case F64 -> "f64";
            default -> throw new IllegalArgumentException("class-weighted cross-entropy on cuda computes in F32 or F64, got "
                    + logits.dtype());
        };
        int n = shape[0], c = shape[1], hw = 1;
        for (int d = 2; d < shape.length; d++) hw *= shape[d];
        CudaStorage loss = alloc(logits.dtype(), n * hw);
        CudaStorage grad = withGrad ? alloc(logits.dtype(), n * c * hw) : null;
        launch("wp_class_weighted_ce_" + sfx, (long) n * hw, ptr(logits), ptr(weights), i(n), i(c), i(hw), d(clampMin), ptr(loss),
                ptr(grad));
        return new Storage[]{loss, grad};
    }

    @Override
    public void optimizerUpdate(OptimizerUpdate u, Storage param, Storage grad, Storage[] st) {
        String sfx = switch (param.dtype()) {
            case F32 -> "f32";
            case F64 -> "f64";
            default -> throw new IllegalArgumentException("optimizer updates on cuda take F32 or F64, got " + param.dtype());
        };
        int n = param.numel();
        switch (u) {
            case OptimizerUpdate.Sgd s -> launch("wp_sgd_" + sfx, n, ptr(param), ptr(grad), ptr(s.momentum() != 0 ? st[0] : null),
                    i(n), d(s.lr()), d(s.weightDecay()), d(s.momentum()), d(s.dampening()), i(s.nesterov() ? 1 : 0),
                    i(s.firstStep() ? 1 : 0));
            case OptimizerUpdate.RmsProp r -> {
                Storage buf = r.momentum() > 0 ? st[1] : null;
                Storage gavg = r.centered() ? st[r.momentum() > 0 ? 2 : 1] : null;
                launch("wp_rmsprop_" + sfx, n, ptr(param), ptr(grad), ptr(st[0]), ptr(buf), ptr(gavg), i(n), d(r.lr()),
                        d(r.weightDecay()), d(r.alpha()), d(r.eps()), d(r.momentum()));
            }
            case OptimizerUpdate.Adam a -> launch("wp_adam_" + sfx, n, ptr(param), ptr(grad), ptr(st[0]), ptr(st[1]),
                    ptr(a.amsgrad() ? st[2] : null), i(n), d(a.lr()), d(a.weightDecay()), d(a.beta1()), d(a.beta2()), d(a.eps()),
                    i(a.decoupled() ? 1 : 0), d(a.lr() / a.biasCorrection1()), d(a.biasCorrection2Sqrt()));
        }
    }

    @Override
    public MemoryStats memoryStats() {
        CachingAllocator.Stats s = allocator.stats();
        return new MemoryStats(s.inUse(), s.reserved(), s.peakInUse());
    }

    @Override
    public void resetPeakMemory() { allocator.resetPeak(); }

    // ------------------------------------------------------------------ matmul
    @Override
    public Storage matmul(Storage a, int aBatchStride, boolean transA, Storage b, int bBatchStride, boolean transB,
                          int batch, int m, int n, int k, DType dtype) {
        int dt = switch (dtype) {
            case F32 -> Cublas.CUDA_R_32F;
            case F64 -> Cublas.CUDA_R_64F;
            case BF16 -> Cublas.CUDA_R_16BF;
            case F16 -> Cublas.CUDA_R_16F;
            default -> throw new IllegalArgumentException("matmul on cuda takes F32, F64, BF16 or F16, got " + dtype);
        };
        if (k == 0) return zeros(dtype, batch * m * n);
        CudaStorage y = alloc(dtype, batch * m * n);
        if (batch == 0 || m == 0 || n == 0) return y;
        makeCurrent();
        jcuda.driver.CUevent t = profiler.begin();
        Cublas.get().gemm(cublas(), dt, tf32(), transA, transB, m, n, k, c(a).address(), aBatchStride, c(b).address(),
                bBatchStride, y.address(), batch);
        profiler.end(t, "cublas gemm " + dtype + (tf32() && dtype == DType.F32 ? " tf32" : ""));
        return y;
    }

    // ------------------------------------------------------------------ neural-network ops (CudaNn)
    @Override
    public Storage conv2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) { return nn.conv2d(x, xs, w, ws, bias, p); }

    @Override
    public Storage conv2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        return nn.conv2dBackwardInput(dy, w, xs, ws, p);
    }

    @Override
    public Storage[] conv2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        return nn.conv2dBackwardWeight(x, dy, xs, ws, p, withBias);
    }

    @Override
    public Storage convTranspose2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        return nn.convTranspose2d(x, xs, w, ws, bias, p);
    }

    @Override
    public Storage convTranspose2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        return nn.convTranspose2dBackwardInput(dy, w, xs, ws, p);
    }

    @Override
    public Storage[] convTranspose2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        return nn.convTranspose2dBackwardWeight(x, dy, xs, ws, p, withBias);
    }

    @Override
    public Storage[] maxPool2d(Storage x, int[] xs, int[] k, int[] s, int[] pad, int[] dil) {
        if (x.dtype() != DType.F32 && x.dtype() != DType.F64) {
            throw new IllegalArgumentException("max_pool2d on cuda computes in F32 or F64, got " + x.dtype());
        }
        int oh = (xs[2] + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / s[0] + 1;
        int ow = (xs[3] + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / s[1] + 1;
        int planes = xs[0] * xs[1], n = planes * oh * ow;
        CudaStorage y = alloc(x.dtype(), n), idx = alloc(DType.I32, n);
        launch("wp_maxpool2d", n, ptr(x), i(x.dtype()), ptr(y), ptr(idx), i(planes), i(xs[2]), i(xs[3]), i(oh), i(ow),
                i(k[0]), i(k[1]), i(s[0]), i(s[1]), i(pad[0]), i(pad[1]), i(dil[0]), i(dil[1]));
        return new Storage[]{y, idx};
    }

    @Override
    public Storage maxPool2dBackward(Storage dy, Storage indices, int[] xs, int[] ys) {
        if (dy.dtype() != DType.F32 && dy.dtype() != DType.F64) {
            throw new IllegalArgumentException("max_pool2d backward on cuda computes in F32 or F64, got " + dy.dtype());
        }
        Storage dx = zeros(dy.dtype(), xs[0] * xs[1] * xs[2] * xs[3]);
        int planes = xs[0] * xs[1], ohw = ys[2] * ys[3];
        launch("wp_maxpool2d_backward", (long) planes * ohw, ptr(dy), i(dy.dtype()), ptr(indices), ptr(dx), i(planes),
                i(xs[2] * xs[3]), i(ohw));
        return dx;
    }

    @Override
    public Storage[] batchNorm(Storage x, int[] xs, Storage gamma, Storage beta, Storage runningMean, Storage runningVar,
                               boolean training, double momentum, double eps) {
        return nn.batchNorm(x, xs, gamma, beta, runningMean, runningVar, training, momentum, eps);
    }

    @Override
    public Storage[] batchNormBackward(Storage x, Storage dy, int[] xs, Storage gamma, Storage saveMean, Storage saveInvStd) {
        return nn.batchNormBackward(x, dy, xs, gamma, saveMean, saveInvStd);
    }

    // ------------------------------------------------------------------ indexing and random
    /** Runs an index-checked kernel: a 3-int error record {flag, bad value, size} is read back after it. */
    private void checkedLaunch(String kernel, String op, long n, java.util.function.Function<Pointer, Pointer[]> args) {
        CudaStorage err = (CudaStorage) zeros(DType.I32, 3);
        try {
            launch(kernel, n, args.apply(ptr(err)));
            int[] e = (int[]) toHost(err, Layout.contiguous(3));
            if (e[0] != 0) throw new IndexOutOfBoundsException(op + ": index " + e[1] + " out of range for size " + e[2]);
        } finally {
            err.free();
        }
    }

    @Override
    public Storage indexSelect(Storage s, Layout l, int dim, Storage index, int indexLen) {
        if (index.dtype() != DType.I32) throw new IllegalArgumentException("index_select on cuda takes I32 indices, got " + index.dtype());
        int[] shape = l.shape();
        shape[dim] = indexLen;
        Layout lo = Layout.contiguous(shape);
        int n = lo.numel();
        CudaStorage y = alloc(s.dtype(), n);
        checkedLaunch("wp_index_select", "index_select", n, err -> new Pointer[]{ptr(s), i(s.dtype()), lay(l, "index_select"),
                i(dim), ptr(index), lay(lo, "index_select"), ptr(y), err, i(n)});
        return y;
    }

    @Override
    public Storage gather(Storage s, Layout l, int dim, Storage index, Layout li) {
        if (index.dtype() != DType.I32) throw new IllegalArgumentException("gather on cuda takes I32 indices, got " + index.dtype());
        int n = li.numel();
        CudaStorage y = alloc(s.dtype(), n);
        checkedLaunch("wp_gather", "gather", n, err -> new Pointer[]{ptr(s), i(s.dtype()), lay(l, "gather"), i(dim), ptr(index),
                lay(li, "gather"), ptr(y), err, i(n)});
        return y;
    }

    @Override
    public Storage scatterAdd(int[] shape, int dim, Storage index, Layout li, Storage src, Layout ls, DType dtype) {
        if (index.dtype() != DType.I32) throw new IllegalArgumentException("scatter_add on cuda takes I32 indices, got " + index.dtype());
        // the kernel adds atomically into F32, F64 or I32: 16-bit floats accumulate in F32 and U8 in I32 (its low
        // 8 bits are the CPU's wrapping byte sum), converted once at the end
        DType acc = switch (dtype) {
            case F32, F64, I32 -> dtype;
            case BF16, F16 -> DType.F32;
            case U8 -> DType.I32;
        };
        Layout lo = Layout.contiguous(shape);
        CudaStorage y = (CudaStorage) zeros(acc, lo.numel());
        int n = li.numel();
        try {
            checkedLaunch("wp_scatter_add", "scatter_add", n, err -> new Pointer[]{ptr(index), lay(li, "scatter_add"), ptr(src),
                    i(src.dtype()), lay(ls, "scatter_add"), ptr(y), i(acc), lay(lo, "scatter_add"), i(dim), err, i(n)});
        } catch (RuntimeException e) {
            y.free();
            throw e;
        }
        if (acc == dtype) return y;
        try {
            return copy(y, lo, dtype);
        } finally {
            y.free();
        }
    }

    @Override
    public Storage random(Rng.Distribution dist, DType dtype, int numel, long seed, long counter) {
        CudaStorage y = alloc(dtype, numel);
        launch("wp_random", numel, i(dist.ordinal()), ptr(y), i(dtype), i(numel), Pointer.to(new long[]{seed}),
                Pointer.to(new long[]{counter}));
        return y;
    }

    /** Every kernel entry loaded (for diagnostics and tests). */
    List<String> kernels() { return new ArrayList<>(functions.keySet()); }
}
