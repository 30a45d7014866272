package org.wpunet.cuda;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cuDNN 9 (legacy convolution / batch-norm API) through FFM. Every call goes through
 * {@link #call}, which checks the status and names the function and cudnnGetErrorString's text.
 *
 * <p>Constants, signatures and the perf-struct layout are transcribed from the cuDNN 9.6.0 headers:
 * cudnn_graph.h (handle, status, cudnnDataType_t, cudnnMathType_t, cudnnTensorFormat_t,
 * cudnnConvolutionMode_t), cudnn_ops.h (tensor/filter descriptors, cudnnAddTensor, batch norm,
 * cudnnDeterminism_t, the algo enums) and cudnn_cnn.h (convolution descriptor, Find, the three
 * convolutions, cudnnConvolutionBackwardBias, the *AlgoPerf_t structs). All of these are declared
 * CUDNN_DEPRECATED in cuDNN 9 but still exported; none of the functions removed in 9.0
 * (cudnnGetConvolution*Algorithm without _v7, cudnnSetRNNDescriptor_v6, ...) is used. The symbols are
 * looked up in the shim libcudnn.so.9, which exports the whole legacy API and dlopen()s the
 * sub-libraries (libcudnn_ops/cnn/graph/engines_*.so.9) on first use; those are opened beforehand
 * from the shim's directory (see {@link NativeLibrary}).
 *
 * <p>Scaling factors alpha/beta are host pointers: double* when the tensors are CUDNN_DATA_DOUBLE,
 * float* otherwise ({@link #scalar}). exponentialAverageFactor and epsilon of batch norm are plain
 * C doubles (JAVA_DOUBLE by value).
 */
final class CudnnLibrary {
    /** cudnnDataType_t. */
    static final int DATA_FLOAT = 0, DATA_DOUBLE = 1, DATA_HALF = 2, DATA_BFLOAT16 = 9;
    /** cudnnTensorFormat_t. */
    static final int FORMAT_NCHW = 0;
    /** cudnnConvolutionMode_t. */
    static final int CROSS_CORRELATION = 1;
    /** cudnnBatchNormMode_t. */
    static final int BN_SPATIAL = 1;
    /** cudnnMathType_t: FMA only (exact FP32) or tensor ops (TF32 allowed for FP32 data). */
    static final int MATH_DEFAULT = 0, MATH_TENSOR_OP = 1, MATH_FMA = 3;
    static final int STATUS_SUCCESS = 0;

    /**
     * cudnnConvolutionFwdAlgoPerf_t, cudnnConvolutionBwdDataAlgoPerf_t and
     * cudnnConvolutionBwdFilterAlgoPerf_t (identical layouts): the algo enum, cudnnStatus_t, float time,
     * size_t memory (8-aligned: 4 bytes of padding before it), cudnnDeterminism_t, cudnnMathType_t,
     * int reserved[3], and tail padding to the struct's 8-byte alignment: 48 bytes.
     */
    static final StructLayout PERF = MemoryLayout.structLayout(
            JAVA_INT.withName("algo"),
            JAVA_INT.withName("status"),
            JAVA_FLOAT.withName("time"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("memory"),
            JAVA_INT.withName("determinism"),
            JAVA_INT.withName("mathType"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("reserved"),
            MemoryLayout.paddingLayout(4));
    static final int PERF_SIZE = (int) PERF.byteSize();
    static final long PERF_ALGO = PERF.byteOffset(groupElement("algo")), PERF_STATUS = PERF.byteOffset(groupElement("status")),
            PERF_MEMORY = PERF.byteOffset(groupElement("memory")),
            PERF_MATH = PERF.byteOffset(groupElement("mathType"));

    static final List<String> SONAMES = List.of("libcudnn.so.9");

    /**
     * The sub-libraries the shim loads by bare soname, in dependency order (graph first; ops and cnn
     * need it). Missing ones are skipped (engines_tensor_ir and ext only exist from 9.24 on).
     */
    static final List<String> COMPANIONS = List.of("libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9",
            "libcudnn_engines_runtime_compiled.so.9", "libcudnn_engines_tensor_ir.so.9", "libcudnn_heuristic.so.9",
            "libcudnn_ext.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9");

    /** The bound symbols and their C signatures (return type first). */
    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        FunctionDescriptor p = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor pp = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        // cudnn_graph.h
        m.put("cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));                 // size_t (void)
        m.put("cudnnGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));     // const char* (cudnnStatus_t)
        m.put("cudnnCreate", p);                                                    // (cudnnHandle_t*)
        m.put("cudnnSetStream", pp);                                                // (handle, cudaStream_t)
        // cudnn_ops.h
        m.put("cudnnCreateTensorDescriptor", p);
        m.put("cudnnDestroyTensorDescriptor", p);
        // (desc, cudnnTensorFormat_t format, cudnnDataType_t dataType, int n, int c, int h, int w)
        m.put("cudnnSetTensor4dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT));
        m.put("cudnnCreateFilterDescriptor", p);
        m.put("cudnnDestroyFilterDescriptor", p);
        // (desc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w): note the
        // order of dataType and format is the reverse of cudnnSetTensor4dDescriptor's
        m.put("cudnnSetFilter4dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT));
        // (handle, const void* alpha, aDesc, const void* A, const void* beta, cDesc, void* C)
        m.put("cudnnAddTensor", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // (handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias,
        //  double exponentialAverageFactor, resultRunningMean, resultRunningVariance, double epsilon,
        //  resultSaveMean, resultSaveInvVariance)
        m.put("cudnnBatchNormalizationForwardTraining", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE, ADDRESS, ADDRESS, JAVA_DOUBLE,
                ADDRESS, ADDRESS));
        // (handle, mode, alpha, beta, xDesc, x, yDesc, y, bnScaleBiasMeanVarDesc, bnScale, bnBias,
        //  estimatedMean, estimatedVariance, double epsilon)
        m.put("cudnnBatchNormalizationForwardInference", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE));
        // (handle, mode, alphaDataDiff, betaDataDiff, alphaParamDiff, betaParamDiff, xDesc, x, dyDesc, dy,
        //  dxDesc, dx, dBnScaleBiasDesc, bnScale, dBnScaleResult, dBnBiasResult, double epsilon,
        //  savedMean, savedInvVariance)
        m.put("cudnnBatchNormalizationBackward", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                JAVA_DOUBLE, ADDRESS, ADDRESS));
        // cudnn_cnn.h
        m.put("cudnnCreateConvolutionDescriptor", p);
        m.put("cudnnDestroyConvolutionDescriptor", p);
        // (desc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w,
        //  cudnnConvolutionMode_t mode, cudnnDataType_t computeType)
        m.put("cudnnSetConvolution2dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        m.put("cudnnSetConvolutionMathType", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)); // (desc, cudnnMathType_t)
        // The Ex variants time the algorithms on our buffers with a workspace we pass (from the caching allocator):
        // Fwd: (handle, xDesc, x, wDesc, w, convDesc, yDesc, y, ...); BwdData: (handle, wDesc, w, dyDesc, dy, convDesc,
        // dxDesc, dx, ...); BwdFilter: (handle, xDesc, x, dyDesc, dy, convDesc, dwDesc, dw, ...); then
        // (const int requestedAlgoCount, int* returnedAlgoCount, cudnnConvolution*AlgoPerf_t* perfResults,
        //  void* workSpace, size_t workSpaceSizeInBytes)
        FunctionDescriptor find = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        m.put("cudnnFindConvolutionForwardAlgorithmEx", find);
        m.put("cudnnFindConvolutionBackwardDataAlgorithmEx", find);
        m.put("cudnnFindConvolutionBackwardFilterAlgorithmEx", find);
        // (handle, alpha, aDesc, a, bDesc, b, convDesc, cudnnConvolution*Algo_t algo, void* workSpace,
        //  size_t workSpaceSizeInBytes, beta, cDesc, c)
        FunctionDescriptor run = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
        m.put("cudnnConvolutionForward", run);
        m.put("cudnnConvolutionBackwardData", run);
        m.put("cudnnConvolutionBackwardFilter", run);
        // (handle, alpha, dyDesc, dy, beta, dbDesc, db)
        m.put("cudnnConvolutionBackwardBias", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS));
        return Collections.unmodifiableMap(m);
    }

    /** cudnnStatus_t (cuDNN 9 codes), for messages when cudnnGetErrorString cannot be called. */
    static final Map<Integer, String> STATUS = Map.ofEntries(
            Map.entry(0, "CUDNN_STATUS_SUCCESS"),
            Map.entry(1001, "CUDNN_STATUS_NOT_INITIALIZED"),
            Map.entry(1002, "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH"),
            Map.entry(1008, "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED"),
            Map.entry(2000, "CUDNN_STATUS_BAD_PARAM"),
            Map.entry(2001, "CUDNN_STATUS_INVALID_VALUE"),
            Map.entry(2002, "CUDNN_STATUS_BAD_PARAM_NULL_POINTER"),
            Map.entry(3000, "CUDNN_STATUS_NOT_SUPPORTED"),
            Map.entry(3007, "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH"),
            Map.entry(4000, "CUDNN_STATUS_INTERNAL_ERROR"),
            Map.entry(4003, "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED"),
            Map.entry(4004, "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED"),
            Map.entry(5000, "CUDNN_STATUS_EXECUTION_FAILED"));

    static String statusName(int status) { return STATUS.getOrDefault(status, "CUDNN_STATUS_" + status); }

    private static volatile CudnnLibrary instance;

    final NativeLibrary lib;
    private final Map<String, MethodHandle> fns = new HashMap<>();
    private final MethodHandle errorString;

    private CudnnLibrary(NativeLibrary lib) {
        this.lib = lib;
        for (var e : SIGNATURES.entrySet()) fns.put(e.getKey(), lib.fn(e.getKey(), e.getValue()));
        errorString = fns.get("cudnnGetErrorString");
    }

    static CudnnLibrary get() {
        CudnnLibrary c = instance;
        if (c == null) {
            synchronized (CudnnLibrary.class) {
                if (instance == null) {
                    instance = new CudnnLibrary(NativeLibrary.load("cuDNN", SONAMES, NativeLibrary.defaultSearchPath(),
                            so -> COMPANIONS));
                }
                c = instance;
            }
        }
        return c;
    }

    /** cudnnGetVersion(): CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL for cuDNN 9 (e.g. 90600). */
    long version() {
        try {
            return (long) fns.get("cudnnGetVersion").invokeExact();
        } catch (Throwable t) {
            throw new CudaException("cudnnGetVersion failed: " + t, t);
        }
    }

    /** Calls a bound function with the given arguments and checks its cudnnStatus_t. */
    void call(String fn, Object... args) {
        MethodHandle h = fns.get(fn);
        if (h == null) throw new IllegalArgumentException("cuDNN function " + fn + " is not bound");
        int st;
        try {
            st = (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new CudaException(fn + " failed: " + t, t);
        }
        if (st != STATUS_SUCCESS) {
            String msg;
            try {
                MemorySegment s = (MemorySegment) errorString.invokeExact(st);
                msg = s.equals(MemorySegment.NULL) ? statusName(st) : s.reinterpret(256).getString(0);
            } catch (Throwable t) {
                msg = statusName(st);
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

    /**
     * The math type a convolution descriptor starts with, as PyTorch sets it: FP32 data DEFAULT (tensor
     * cores, TF32) when TF32 is allowed else FMA (exact); 16-bit data TENSOR_OP; double FMA. Find may pick
     * an algorithm under another math type, which the call then runs with.
     */
    static int mathType(int dataType, boolean tf32) {
        if (dataType == DATA_HALF || dataType == DATA_BFLOAT16) return MATH_TENSOR_OP;
        return tf32 && dataType == DATA_FLOAT ? MATH_DEFAULT : MATH_FMA;
    }

    /** alpha/beta scaling factors: double for DOUBLE data, float for every other type (cuDNN's rule). */
    static MemorySegment scalar(Arena a, int dataType, double v) {
        return dataType == DATA_DOUBLE ? a.allocateFrom(JAVA_DOUBLE, v) : a.allocateFrom(JAVA_FLOAT, (float) v);
    }

    /** The chosen algorithm of a cudnnFind* call, its workspace size and the math type it was timed with. */
    record Algo(int algo, long workspace, int mathType) {}

    /**
     * Picks the fastest successful result of a Find call: perf entries are sorted by time; with
     * exact math an entry that needs tensor-op math is skipped.
     */
    static Algo pick(MemorySegment perf, int returned, boolean tf32, String what) {
        return pick(perf, returned, tf32, -1, what);
    }

    /**
     * As {@link #pick(MemorySegment, int, boolean, String)}, knowing the data type: for FLOAT data
     * without TF32 only CUDNN_FMA_MATH entries are exact (CUDNN_DEFAULT_MATH permits TF32 on Ampere
     * and newer). The caller must set the descriptor's math type to {@link Algo#mathType()} before
     * running the algorithm (cuDNN selects the kernel by algo and math type together).
     */
    static Algo pick(MemorySegment perf, int returned, boolean tf32, int dataType, String what) {
        for (int i = 0; i < returned; i++) {
            long base = (long) i * PERF_SIZE;
            int status = perf.get(JAVA_INT, base + PERF_STATUS);
            int math = perf.get(JAVA_INT, base + PERF_MATH);
            if (status != STATUS_SUCCESS) continue;
            // exact FP32: only FMA kernels (DEFAULT and TENSOR_OP math may round inputs to TF32); 16-bit data and
            // double take whatever Find measured fastest
            if (!tf32 && (dataType == DATA_FLOAT || dataType < 0) && math != MATH_FMA) continue;
            return new Algo(perf.get(JAVA_INT, base + PERF_ALGO), perf.get(JAVA_LONG, base + PERF_MEMORY), math);
        }
        throw new CudaException(what + ": cudnnFind returned no usable algorithm (" + returned + " results)");
    }
}
