package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * cuDNN 9 (legacy convolution / batch-norm API) through FFM. Every call goes through
 * {@link #call}, which checks the status and names the function and cudnnGetErrorString's text.
 */
final class Cudnn {
    /** cudnnDataType_t (cudnn_graph.h): FLOAT 0, DOUBLE 1, HALF 2, BFLOAT16 9. */
    static final int DATA_FLOAT = 0, DATA_DOUBLE = 1, DATA_HALF = 2, DATA_BFLOAT16 = 9;
    static final int FORMAT_NCHW = 0, CROSS_CORRELATION = 1, BN_SPATIAL = 1;
    /**
     * cudnnMathType_t: DEFAULT 0 (tensor cores allowed, TF32 for FP32 data), TENSOR_OP 1, FMA 3 (no
     * tensor cores: exact FP32). As PyTorch: FP32 uses DEFAULT when TF32 is on else FMA; 16-bit data TENSOR_OP.
     */
    static final int MATH_DEFAULT = 0, MATH_TENSOR_OP = 1, MATH_FMA = 3;
    /** sizeof(cudnnConvolution*AlgoPerf_t): algo@0 status@4 time@8 memory@16 determinism@24 mathType@28 reserved. */
    static final int PERF_SIZE = 48;
    static final List<String> SONAMES = List.of("libcudnn.so.9");

    private static volatile Cudnn instance;

    final NativeLibrary lib;
    private final Map<String, MethodHandle> fns = new HashMap<>();
    private final MethodHandle errorString;

    private Cudnn(NativeLibrary lib) {
        this.lib = lib;
        errorString = lib.fn("cudnnGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        FunctionDescriptor p = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor pp = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        bind("cudnnCreate", p);
        bind("cudnnSetStream", pp);
        bind("cudnnCreateTensorDescriptor", p);
        bind("cudnnDestroyTensorDescriptor", p);
        bind("cudnnSetTensor4dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        bind("cudnnCreateFilterDescriptor", p);
        bind("cudnnDestroyFilterDescriptor", p);
        bind("cudnnSetFilter4dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        bind("cudnnCreateConvolutionDescriptor", p);
        bind("cudnnDestroyConvolutionDescriptor", p);
        bind("cudnnSetConvolution2dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        bind("cudnnSetConvolutionMathType", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        FunctionDescriptor find = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        bind("cudnnFindConvolutionForwardAlgorithm", find);
        bind("cudnnFindConvolutionBackwardDataAlgorithm", find);
        bind("cudnnFindConvolutionBackwardFilterAlgorithm", find);
        // (handle, alpha, aDesc, a, bDesc, b, convDesc, algo, ws, wsSize, beta, cDesc, c)
        FunctionDescriptor run = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
        bind("cudnnConvolutionForward", run);
        bind("cudnnConvolutionBackwardData", run);
        bind("cudnnConvolutionBackwardFilter", run);
        bind("cudnnConvolutionBackwardBias", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        bind("cudnnAddTensor", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        bind("cudnnBatchNormalizationForwardTraining", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE, ADDRESS, ADDRESS, JAVA_DOUBLE,
                ADDRESS, ADDRESS));
        bind("cudnnBatchNormalizationForwardInference", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE));
        bind("cudnnBatchNormalizationBackward", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                JAVA_DOUBLE, ADDRESS, ADDRESS));
        bind("cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));
    }

    private void bind(String name, FunctionDescriptor fd) { fns.put(name, lib.fn(name, fd)); }

    static Cudnn get() {
        Cudnn c = instance;
        if (c == null) {
            synchronized (Cudnn.class) {
                if (instance == null) instance = new Cudnn(NativeLibrary.load("cuDNN", SONAMES, NativeLibrary.defaultSearchPath()));
                c = instance;
            }
        }
        return c;
    }

    long version() {
        try {
            return (long) fns.get("cudnnGetVersion").invokeExact();
        } catch (Throwable t) {
            throw new CudaException("cudnnGetVersion failed: " + t, t);
        }
    }

    /** Calls a bound function with the given arguments and checks its cudnnStatus_t. */
    void call(String fn, Object... args) {
        int st;
        try {
            st = (int) fns.get(fn).invokeWithArguments(args);
        } catch (Throwable t) {
            throw new CudaException(fn + " failed: " + t, t);
        }
        if (st != 0) {
            String msg;
            try {
                msg = ((MemorySegment) errorString.invokeExact(st)).reinterpret(256).getString(0);
            } catch (Throwable t) {
                msg = "status " + st;
            }
            throw new CudaException(fn + " failed: " + msg + " (" + st + ")");
        }
    }

    static int dataType(org.wpunet.core.DType dt) {
        return switch (dt) {
            case F32 -> DATA_FLOAT;
            case F64 -> DATA_DOUBLE;
            case BF16 -> DATA_BFLOAT16;
            case F16 -> DATA_HALF;
            default -> throw new IllegalArgumentException("cuDNN ops on cuda take F32, F64, BF16 or F16 data, got " + dt);
        };
    }

    /** Creates a handle on a stream (raw CUstream address). */
    MemorySegment createHandle(long stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            call("cudnnCreate", p);
            MemorySegment h = p.get(ADDRESS, 0);
            call("cudnnSetStream", h, MemorySegment.ofAddress(stream));
            return h;
        }
    }

    MemorySegment tensor4d(int dataType, int n, int c, int h, int w) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            call("cudnnCreateTensorDescriptor", p);
            MemorySegment d = p.get(ADDRESS, 0);
            call("cudnnSetTensor4dDescriptor", d, FORMAT_NCHW, dataType, n, c, h, w);
            return d;
        }
    }

    MemorySegment filter4d(int dataType, int k, int c, int h, int w) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            call("cudnnCreateFilterDescriptor", p);
            MemorySegment d = p.get(ADDRESS, 0);
            call("cudnnSetFilter4dDescriptor", d, dataType, FORMAT_NCHW, k, c, h, w);
            return d;
        }
    }

    MemorySegment conv2d(int dataType, int padH, int padW, int sH, int sW, int dH, int dW, boolean tf32) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            call("cudnnCreateConvolutionDescriptor", p);
            MemorySegment d = p.get(ADDRESS, 0);
            // 16-bit data accumulates in FP32 (cuDNN's PSEUDO_HALF / PSEUDO_BFLOAT16 configurations)
            int compute = dataType == DATA_DOUBLE ? DATA_DOUBLE : DATA_FLOAT;
            call("cudnnSetConvolution2dDescriptor", d, padH, padW, sH, sW, dH, dW, CROSS_CORRELATION, compute);
            call("cudnnSetConvolutionMathType", d, mathType(dataType, tf32));
            return d;
        }
    }

    /** The math type a convolution descriptor starts with (Find may pick another; the call then uses that). */
    static int mathType(int dataType, boolean tf32) {
        if (dataType == DATA_HALF || dataType == DATA_BFLOAT16) return MATH_TENSOR_OP;
        return tf32 && dataType == DATA_FLOAT ? MATH_DEFAULT : MATH_FMA;
    }

    /** alpha/beta scaling factors: float for FLOAT data, double for DOUBLE data (cuDNN's rule). */
    static MemorySegment scalar(Arena a, int dataType, double v) {
        return dataType == DATA_DOUBLE ? a.allocateFrom(JAVA_DOUBLE, v) : a.allocateFrom(JAVA_FLOAT, (float) v);
    }

    /** The chosen algorithm of a cudnnFind* call and its workspace size. */
    record Algo(int algo, long workspace, int mathType) {}

    /**
     * Picks the fastest successful result of a Find call: perf entries are sorted by time; with
     * exact FP32 math an entry whose math type is not FMA is skipped.
     */
    static Algo pick(MemorySegment perf, int returned, boolean tf32, boolean fp32, String what) {
        for (int i = 0; i < returned; i++) {
            long base = (long) i * PERF_SIZE;
            int status = perf.get(JAVA_INT, base + 4);
            int math = perf.get(JAVA_INT, base + 28);
            if (status != 0) continue;
            if (!tf32 && math != MATH_FMA && fp32) continue;
            return new Algo(perf.get(JAVA_INT, base), perf.get(JAVA_LONG, base + 16), math);
        }
        throw new CudaException(what + ": cudnnFind returned no usable algorithm (" + returned + " results)");
    }
}
