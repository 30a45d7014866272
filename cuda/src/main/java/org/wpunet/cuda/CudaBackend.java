package org.wpunet.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
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
 * The CUDA backend of one device: primary context, one stream, the caching allocator, the PTX
 * modules of src/main/cuda, and the dispatch of every SPI op. What each op computes lives elsewhere:
 * argument packing of the own kernels in {@link KernelCalls}, host transfers in {@link CudaTransfers},
 * GEMMs in {@link Cublas}, convolutions in {@link CudnnConvolutions}, batch norm in
 * {@link CudnnBatchNorm}. Ops are asynchronous on the stream; {@link #toHost} and the index-checking
 * ops synchronise.
 */
public final class CudaBackend implements Backend {
    /** Allows TF32 tensor-core math in FP32 convolutions and GEMMs (core's {@link org.wpunet.core.Precision} switch). */
    public static void setTf32(boolean on) { org.wpunet.core.Precision.setAllowTf32(on); }

    /** Whether TF32 is allowed now (-Dwpunet.tf32=true or Precision.setAllowTf32). */
    public static boolean tf32() { return org.wpunet.core.Precision.allowTf32(); }

    /** The .cu files of src/main/cuda, one PTX module each, one kernel family each. */
    static final List<String> MODULES = List.of("elementwise", "reduce", "pooling", "indexing", "random", "loss", "optimizers");

    private final Device device;
    private final CUcontext ctx = new CUcontext();
    private final Driver.Stream stream = new Driver.Stream();
    private final String name;
    private final int maxBlocks;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<Long, Driver.DevPtr> pointers = new ConcurrentHashMap<>();
    private final CachingAllocator allocator;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final CudaTransfers transfers;
    final CudnnConvolutions convolutions;
    final CudnnBatchNorm batchNorm;
    final CudaProfiler profiler;
    private MemorySegment cublasHandle, cudnnHandle;
    private final DeferredIndexErrors indexErrors;

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
        allocator = new CachingAllocator(new DeviceMemory(stream, pointers));
        transfers = new CudaTransfers(this);
        indexErrors = new DeferredIndexErrors(this, (CudaStorage) zeros(DType.I32, 3));
        convolutions = new CudnnConvolutions(this);
        batchNorm = new CudnnBatchNorm(this);
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

    synchronized MemorySegment cudnn() {
        if (cudnnHandle == null) cudnnHandle = CudnnLibrary.get().createHandle(stream.address());
        return cudnnHandle;
    }

    /** Allocator statistics (bytes in use, reserved from the device, peak in use, cached). */
    public CachingAllocator.Stats allocatorStats() { return allocator.stats(); }

    /** Returns cached blocks to the device (after the stream has finished with them). */
    public void emptyCache() {
        makeCurrent();
        allocator.emptyCache();
    }

    /** Waits until every queued op has finished; throws an index error a checked kernel recorded meanwhile. */
    @Override
    public void synchronize() {
        makeCurrent();
        Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
        indexErrors.check();
    }

    @Override
    public Device device() { return device; }

    @Override
    public String describe() {
        String blas, dnn;
        try { blas = Cublas.get().lib.name(); } catch (RuntimeException e) { blas = "unavailable: " + e.getMessage(); }
        try { dnn = String.valueOf(CudnnLibrary.get().version()); } catch (RuntimeException e) { dnn = "unavailable: " + e.getMessage(); }
        return device + ": " + name + ", cuBLAS " + blas + ", cuDNN " + dnn + (tf32() ? ", TF32 on" : ", exact FP32");
    }

    // ------------------------------------------------------------------ storages and launches
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

    /** A JCuda pointer to a storage's first element: its segment's cuMemAlloc pointer plus the block's offset in it. */
    jcuda.driver.CUdeviceptr devPtr(CudaStorage s) {
        CachingAllocator.Block blk = s.block();
        Driver.DevPtr base = pointers.get(blk.segment());
        if (base == null) throw new IllegalStateException("unknown device segment of " + blk);
        return base.withByteOffset(blk.address() - blk.segment());
    }

    /** The cuLaunchKernel parameter of one argument (a pointer to its value). */
    private static Pointer param(KernelCall.Arg a) {
        return switch (a) {
            case KernelCall.I32 v -> Pointer.to(new int[]{v.v()});
            case KernelCall.I64 v -> Pointer.to(new long[]{v.v()});
            case KernelCall.F64 v -> Pointer.to(new double[]{v.v()});
            case KernelCall.Lay v -> Pointer.to(v.packed());
            case KernelCall.Ptr v -> Pointer.to(new long[]{v.storage() == null ? 0L : c(v.storage()).address()});
        };
    }

    /** Launches a packed kernel call on the stream. */
    void launch(KernelCall call) {
        if (call == null || call.n() <= 0) return;
        int blocks = call.grid() == KernelCall.Grid.BLOCKS ? Math.toIntExact(call.n())
                : Launch.blocks(call.n(), Launch.THREADS, maxBlocks);
        makeCurrent();
        CUfunction f = functions.get(call.kernel());
        if (f == null) throw new IllegalStateException("kernel " + call.kernel() + " is not in the loaded PTX");
        Pointer[] params = call.args().stream().map(CudaBackend::param).toArray(Pointer[]::new);
        jcuda.driver.CUevent t = profiler.begin();
        Driver.check(cuLaunchKernel(f, blocks, 1, 1, Launch.THREADS, 1, 1, 0, stream, Pointer.to(params), null),
                "launch " + call.kernel() + " (" + blocks + "x" + Launch.THREADS + ")");
        profiler.end(t, call.kernel());
    }

    /**
     * Runs an index-checked kernel without waiting for it: the kernel records the first bad index in the
     * device's error record, thrown at the next synchronisation ({@link DeferredIndexErrors}).
     */
    private void checkedLaunch(String op, java.util.function.Function<Storage, KernelCall> call) {
        launch(call.apply(indexErrors.record()));
        indexErrors.queued(op);
    }

    /** Runs {@code body} and frees {@code outputs} when it throws (outputs allocated before a failing launch). */
    private static void freeOnFailure(Runnable body, CudaStorage... outputs) {
        try {
            body.run();
        } catch (RuntimeException e) {
            for (CudaStorage s : outputs) if (s != null) s.free();
            throw e;
        }
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
        launch(KernelCalls.fill(s, value));
        return s;
    }

    @Override
    public Storage fromHost(Object array, DType dtype) { return transfers.fromHost(array, dtype); }

    @Override
    public Object toHost(Storage s, Layout l) {
        Object out = transfers.toHost(s, l); // waits for the stream, so the record is final
        indexErrors.check();
        return out;
    }

    @Override
    public Storage copy(Storage s, Layout l, DType to) {
        CudaStorage out = alloc(to, l.numel());
        launch(KernelCalls.copy(s, l, out, Layout.contiguous(l.shape()), false, "copy"));
        return out;
    }

    @Override
    public void copyInto(Storage src, Layout sl, Storage dst, Layout dl) {
        launch(KernelCalls.copy(src, sl, dst, dl, false, "copyInto"));
    }

    @Override
    public void addInto(Storage src, Layout sl, Storage dst, Layout dl) {
        launch(KernelCalls.copy(src, sl, dst, dl, true, "addInto"));
    }

    // ------------------------------------------------------------------ elementwise
    @Override
    public Storage unary(UnaryOp op, Storage s, Layout l, DType out) {
        CudaStorage y = alloc(out, l.numel());
        launch(KernelCalls.unary(op, s, l, y));
        return y;
    }

    @Override
    public Storage binary(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, DType out) {
        CudaStorage y = alloc(out, la.numel());
        launch(KernelCalls.binary(op, a, la, b, lb, y));
        return y;
    }

    @Override
    public Storage binaryScalar(BinaryOp op, Storage s, Layout l, double scalar, boolean scalarFirst, DType out) {
        CudaStorage y = alloc(out, l.numel());
        launch(KernelCalls.binaryScalar(op, s, l, scalar, scalarFirst, y));
        return y;
    }

    @Override
    public Storage where(Storage cond, Layout lc, Storage a, Layout la, Storage b, Layout lb, DType out) {
        CudaStorage y = alloc(out, la.numel());
        launch(KernelCalls.where(cond, lc, a, la, b, lb, y));
        return y;
    }

    @Override
    public Storage clamp(Storage s, Layout l, double lo, double hi) {
        CudaStorage y = alloc(s.dtype(), l.numel());
        launch(KernelCalls.clamp(s, l, lo, hi, y));
        return y;
    }

    // ------------------------------------------------------------------ reductions
    @Override
    public Storage reduce(ReduceOp op, Storage s, Layout l, int[] dims, DType out) {
        CudaStorage y = alloc(out, Launch.splitReduce(l, dims)[0].numel());
        int chunks = KernelCalls.reduceChunks(op, l, dims, maxBlocks);
        CudaStorage part = chunks > 1 ? alloc(KernelCalls.partialType(op, s, out), y.numel() * chunks) : null;
        CudaStorage partIdx = chunks > 1 && !KernelCalls.isSum(op) ? alloc(DType.I32, y.numel() * chunks) : null;
        try {
            for (KernelCall k : KernelCalls.reduce(op, s, l, dims, y, chunks, part, partIdx)) launch(k);
        } finally {
            // stream order: a later user of these blocks runs after both passes
            if (part != null) part.free();
            if (partIdx != null) partIdx.free();
        }
        return y;
    }

    @Override
    public Storage softmax(Storage s, int[] shape, int dim, boolean log) {
        if (s.dtype() != DType.F32 && s.dtype() != DType.F64) {
            throw new IllegalArgumentException("softmax on cuda computes in F32 or F64, got " + s.dtype());
        }
        CudaStorage y = alloc(s.dtype(), Layout.contiguous(shape).numel()); // the storage may be longer than the tensor
        launch(KernelCalls.softmax(s, shape, dim, log, y));
        return y;
    }

    // ------------------------------------------------------------------ fused training kernels
    @Override
    public Storage[] weightedCrossEntropy(Storage logits, int[] shape, Storage target, Storage weight, boolean withGrad) {
        KernelCalls.floatSuffix(logits.dtype(), "cross-entropy");
        CudaStorage loss = alloc(logits.dtype(), KernelCalls.pixels(shape));
        CudaStorage grad = withGrad ? alloc(logits.dtype(), Layout.contiguous(shape).numel()) : null;
        freeOnFailure(() -> checkedLaunch("cross-entropy target",
                err -> KernelCalls.weightedCrossEntropy(logits, shape, target, weight, loss, grad, err)), loss, grad);
        return new Storage[]{loss, grad};
    }

    @Override
    public Storage[] classWeightedCrossEntropy(Storage logits, int[] shape, Storage weights, double clampMin, boolean withGrad) {
        KernelCalls.floatSuffix(logits.dtype(), "class-weighted cross-entropy");
        CudaStorage loss = alloc(logits.dtype(), KernelCalls.pixels(shape));
        CudaStorage grad = withGrad ? alloc(logits.dtype(), Layout.contiguous(shape).numel()) : null;
        launch(KernelCalls.classWeightedCrossEntropy(logits, shape, weights, clampMin, loss, grad));
        return new Storage[]{loss, grad};
    }

    @Override
    public void optimizerUpdate(OptimizerUpdate u, Storage param, Storage grad, Storage[] st) {
        launch(KernelCalls.optimizerUpdate(u, param, grad, st));
    }

    @Override
    public MemoryStats memoryStats() {
        CachingAllocator.Stats s = allocator.stats();
        return new MemoryStats(s.inUse(), s.reserved(), s.peakInUse());
    }

    @Override
    public void resetPeakMemory() { allocator.resetPeak(); }

    // ------------------------------------------------------------------ matmul (cuBLAS)
    @Override
    public Storage matmul(Storage a, int aBatchStride, boolean transA, Storage b, int bBatchStride, boolean transB,
                          int batch, int m, int n, int k, DType dtype) {
        int dt = Cublas.dataType(dtype);
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

    // ------------------------------------------------------------------ convolutions and batch norm (cuDNN)
    @Override
    public Storage conv2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        return convolutions.conv2d(x, xs, w, ws, bias, p);
    }

    @Override
    public Storage conv2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        return convolutions.conv2dBackwardInput(dy, w, xs, ws, p);
    }

    @Override
    public Storage[] conv2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        return convolutions.conv2dBackwardWeight(x, dy, xs, ws, p, withBias);
    }

    @Override
    public Storage convTranspose2d(Storage x, int[] xs, Storage w, int[] ws, Storage bias, ConvParams p) {
        return convolutions.convTranspose2d(x, xs, w, ws, bias, p);
    }

    @Override
    public Storage convTranspose2dBackwardInput(Storage dy, Storage w, int[] xs, int[] ws, ConvParams p) {
        return convolutions.convTranspose2dBackwardInput(dy, w, xs, ws, p);
    }

    @Override
    public Storage[] convTranspose2dBackwardWeight(Storage x, Storage dy, int[] xs, int[] ws, ConvParams p, boolean withBias) {
        return convolutions.convTranspose2dBackwardWeight(x, dy, xs, ws, p, withBias);
    }

    @Override
    public Storage[] batchNorm(Storage x, int[] xs, Storage gamma, Storage beta, Storage runningMean, Storage runningVar,
                               boolean training, double momentum, double eps) {
        return batchNorm.forward(x, xs, gamma, beta, runningMean, runningVar, training, momentum, eps);
    }

    @Override
    public Storage[] batchNormBackward(Storage x, Storage dy, int[] xs, Storage gamma, Storage saveMean, Storage saveInvStd,
                                       double eps) {
        return batchNorm.backward(x, dy, xs, gamma, saveMean, saveInvStd, eps);
    }

    // ------------------------------------------------------------------ pooling, indexing, random
    private static void requireFloat(Storage s, String op) {
        if (s.dtype() != DType.F32 && s.dtype() != DType.F64) {
            throw new IllegalArgumentException(op + " on cuda computes in F32 or F64, got " + s.dtype());
        }
    }

    @Override
    public Storage[] maxPool2d(Storage x, int[] xs, int[] k, int[] s, int[] pad, int[] dil) {
        requireFloat(x, "max_pool2d");
        int[] o = KernelCalls.poolOut(xs, k, s, pad, dil);
        int n = xs[0] * xs[1] * o[0] * o[1];
        CudaStorage y = alloc(x.dtype(), n), idx = alloc(DType.I32, n);
        launch(KernelCalls.maxPool2d(x, xs, k, s, pad, dil, y, idx));
        return new Storage[]{y, idx};
    }

    @Override
    public Storage maxPool2dBackward(Storage dy, Storage indices, int[] xs, int[] ys) {
        requireFloat(dy, "max_pool2d backward");
        Storage dx = zeros(dy.dtype(), xs[0] * xs[1] * xs[2] * xs[3]);
        launch(KernelCalls.maxPool2dBackward(dy, indices, xs, ys, dx));
        return dx;
    }

    private static void requireI32(Storage index, String op) {
        if (index.dtype() != DType.I32) throw new IllegalArgumentException(op + " on cuda takes I32 indices, got " + index.dtype());
    }

    @Override
    public Storage indexSelect(Storage s, Layout l, int dim, Storage index, int indexLen) {
        requireI32(index, "index_select");
        int[] shape = l.shape();
        shape[dim] = indexLen;
        CudaStorage y = alloc(s.dtype(), Layout.contiguous(shape).numel());
        freeOnFailure(() -> checkedLaunch("index_select", err -> KernelCalls.indexSelect(s, l, dim, index, indexLen, y, err)), y);
        return y;
    }

    @Override
    public Storage gather(Storage s, Layout l, int dim, Storage index, Layout li) {
        requireI32(index, "gather");
        CudaStorage y = alloc(s.dtype(), li.numel());
        freeOnFailure(() -> checkedLaunch("gather", err -> KernelCalls.gather(s, l, dim, index, li, y, err)), y);
        return y;
    }

    @Override
    public Storage scatterAdd(int[] shape, int dim, Storage index, Layout li, Storage src, Layout ls, DType dtype) {
        requireI32(index, "scatter_add");
        // the kernel adds atomically into F32, F64 or I32: 16-bit floats accumulate in F32 and U8 in I32 (its low
        // 8 bits are the CPU's wrapping byte sum), converted once at the end
        DType acc = switch (dtype) {
            case F32, F64, I32 -> dtype;
            case BF16, F16 -> DType.F32;
            case U8 -> DType.I32;
        };
        Layout lo = Layout.contiguous(shape);
        CudaStorage y = (CudaStorage) zeros(acc, lo.numel());
        freeOnFailure(() -> checkedLaunch("scatter_add", err -> KernelCalls.scatterAdd(index, li, src, ls, y, lo, dim, err)), y);
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
        launch(KernelCalls.random(dist, y, seed, counter));
        return y;
    }
}
