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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cuBLAS through FFM (libcublas.so.13, else .12). Row-major GEMMs map to column-major cuBLAS by
 * computing C^T = op(B)^T op(A)^T: swap the operands and m/n, keep the leading dimensions.
 *
 * <p>Every constant and signature below is transcribed from cublas_api.h (cuBLAS 12.6.4 and 13.0.0,
 * identical for what is used here) and library_types.h (CUDA 13.0). C types on LP64 Linux: enums and
 * int are JAVA_INT, long long int (the strides) is JAVA_LONG, handles/streams/pointers are ADDRESS.
 * alpha and beta are passed by pointer (host memory, CUBLAS_POINTER_MODE_HOST): float* for S and for
 * Ex with CUBLAS_COMPUTE_32F, double* for D. The exported names carry the _v2 suffix where the header
 * declares it (cublas_v2.h only #defines the unsuffixed names to them).
 */
final class Cublas {
    /** cublasOperation_t. */
    static final int OP_N = 0, OP_T = 1;
    /** cublasMath_t. */
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;
    /** cudaDataType_t (library_types.h). */
    static final int CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_16BF = 14;
    /** cublasComputeType_t. */
    /** The cudaDataType_t of a dtype that cuBLAS GEMMs take. */
    static int dataType(org.wpunet.core.DType dtype) {
        return switch (dtype) {
            case F32 -> CUDA_R_32F;
            case F64 -> CUDA_R_64F;
            case BF16 -> CUDA_R_16BF;
            case F16 -> CUDA_R_16F;
            default -> throw new IllegalArgumentException("matmul on cuda takes F32, F64, BF16 or F16, got " + dtype);
        };
    }

    static final int COMPUTE_32F = 68, COMPUTE_64F = 70, COMPUTE_32F_FAST_TF32 = 77;
    /** cublasGemmAlgo_t CUBLAS_GEMM_DEFAULT. */
    static final int GEMM_DEFAULT = -1;

    /** cublasStatus_t, for messages when cublasGetStatusName is unavailable. */
    static final Map<Integer, String> STATUS = Map.of(0, "CUBLAS_STATUS_SUCCESS", 1, "CUBLAS_STATUS_NOT_INITIALIZED",
            3, "CUBLAS_STATUS_ALLOC_FAILED", 7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH",
            11, "CUBLAS_STATUS_MAPPING_ERROR", 13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR",
            15, "CUBLAS_STATUS_NOT_SUPPORTED", 16, "CUBLAS_STATUS_LICENSE_ERROR");

    static String statusName(int status) { return STATUS.getOrDefault(status, "CUBLAS_STATUS_" + status); }

    /** The bound symbols and their C signatures (return type first). */
    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        // cublasStatus_t cublasCreate_v2(cublasHandle_t* handle)
        m.put("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
        m.put("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
        m.put("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
        m.put("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // cublas{S,D}gemmStridedBatched(handle, transa, transb, int m, int n, int k, const T* alpha,
        //   const T* A, int lda, long long strideA, const T* B, int ldb, long long strideB,
        //   const T* beta, T* C, int ldc, long long strideC, int batchCount)
        FunctionDescriptor strided = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_LONG, JAVA_INT);
        m.put("cublasSgemmStridedBatched", strided);
        m.put("cublasDgemmStridedBatched", strided);
        // cublasGemmStridedBatchedEx(handle, transa, transb, int m, int n, int k, const void* alpha,
        //   const void* A, cudaDataType Atype, int lda, long long strideA,
        //   const void* B, cudaDataType Btype, int ldb, long long strideB, const void* beta,
        //   void* C, cudaDataType Ctype, int ldc, long long strideC, int batchCount,
        //   cublasComputeType_t computeType, cublasGemmAlgo_t algo)
        m.put("cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT));
        // const char* cublasGetStatusName(cublasStatus_t status)   (optional: bound only when present)
        m.put("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static volatile Cublas instance;

    final NativeLibrary lib;
    private final MethodHandle create, destroy, setStream, setMathMode, sgemm, dgemm, gemmEx, statusName;

    private Cublas(NativeLibrary lib) {
        this.lib = lib;
        create = bind("cublasCreate_v2");
        destroy = bind("cublasDestroy_v2");
        setStream = bind("cublasSetStream_v2");
        setMathMode = bind("cublasSetMathMode");
        sgemm = bind("cublasSgemmStridedBatched");
        dgemm = bind("cublasDgemmStridedBatched");
        gemmEx = bind("cublasGemmStridedBatchedEx");
        statusName = lib.has("cublasGetStatusName") ? bind("cublasGetStatusName") : null;
    }

    private MethodHandle bind(String symbol) { return lib.fn(symbol, SIGNATURES.get(symbol)); }

    static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12");

    /** libcublas.so.N needs libcublasLt.so.N (DT_NEEDED): opened first from the same directory. */
    static List<String> companions(String soname) {
        return List.of(soname.replace("libcublas.so.", "libcublasLt.so."));
    }

    /** Loads and binds cuBLAS once; IllegalStateException with the search path when it is missing. */
    static Cublas get() {
        Cublas c = instance;
        if (c == null) {
            synchronized (Cublas.class) {
                if (instance == null) {
                    instance = new Cublas(NativeLibrary.load("cuBLAS", SONAMES, NativeLibrary.defaultSearchPath(),
                            Cublas::companions));
                }
                c = instance;
            }
        }
        return c;
    }

    void check(int status, String op) {
        if (status == 0) return;
        String name = statusName(status);
        try {
            if (statusName != null) {
                MemorySegment s = (MemorySegment) statusName.invokeExact(status);
                if (!s.equals(MemorySegment.NULL)) name = s.reinterpret(256).getString(0);
            }
        } catch (Throwable ignored) { // keep the table's name
        }
        throw new CudaException(op + " failed: " + name + " (" + status + ", cuBLAS " + lib.name() + ")");
    }

    /** A handle bound to a stream (raw CUstream address). */
    MemorySegment createHandle(long stream) {
        MemorySegment h = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) create.invokeExact(p), "cublasCreate");
            h = p.get(ADDRESS, 0);
            check((int) setStream.invokeExact(h, MemorySegment.ofAddress(stream)), "cublasSetStream");
            return h;
        } catch (Throwable t) {
            if (h != null) {
                try {
                    int rc = (int) destroy.invokeExact(h); // do not leak the handle of a failed setup
                } catch (Throwable suppressed) {
                    t.addSuppressed(suppressed);
                }
            }
            if (t instanceof CudaException e) throw e;
            throw new CudaException("cublasCreate failed: " + t, t);
        }
    }

    /**
     * Row-major batched C = op(A) op(B) (see Backend.matmul), addresses raw device pointers.
     * dtype code: CUDA_R_32F / 64F / 16F / 16BF; tf32 enables TF32 tensor-core math for F32.
     */
    void gemm(MemorySegment handle, int dataType, boolean tf32, boolean transA, boolean transB, int m, int n, int k,
              long a, long aStride, long b, long bStride, long c, int batch) {
        int lda = transA ? m : k, ldb = transB ? k : n;
        int opA = transA ? OP_T : OP_N, opB = transB ? OP_T : OP_N;
        MemorySegment A = MemorySegment.ofAddress(a), B = MemorySegment.ofAddress(b), C = MemorySegment.ofAddress(c);
        try (Arena ar = Arena.ofConfined()) {
            check((int) setMathMode.invokeExact(handle, tf32 && dataType == CUDA_R_32F ? TF32_TENSOR_OP_MATH : DEFAULT_MATH),
                    "cublasSetMathMode");
            int st;
            long cStride = (long) m * n;
            switch (dataType) {
                case CUDA_R_32F -> {
                    MemorySegment one = ar.allocateFrom(JAVA_FLOAT, 1f), zero = ar.allocateFrom(JAVA_FLOAT, 0f);
                    st = (int) sgemm.invokeExact(handle, opB, opA, n, m, k, one, B, ldb, bStride, A, lda, aStride, zero, C, n,
                            cStride, batch);
                }
                case CUDA_R_64F -> {
                    MemorySegment one = ar.allocateFrom(JAVA_DOUBLE, 1.0), zero = ar.allocateFrom(JAVA_DOUBLE, 0.0);
                    st = (int) dgemm.invokeExact(handle, opB, opA, n, m, k, one, B, ldb, bStride, A, lda, aStride, zero, C, n,
                            cStride, batch);
                }
                case CUDA_R_16F, CUDA_R_16BF -> { // 16-bit storage, FP32 accumulation: alpha/beta are float
                    MemorySegment one = ar.allocateFrom(JAVA_FLOAT, 1f), zero = ar.allocateFrom(JAVA_FLOAT, 0f);
                    st = (int) gemmEx.invokeExact(handle, opB, opA, n, m, k, one, B, dataType, ldb, bStride, A, dataType, lda,
                            aStride, zero, C, dataType, n, cStride, batch, COMPUTE_32F, GEMM_DEFAULT);
                }
                default -> throw new IllegalArgumentException("cuBLAS gemm: unsupported cudaDataType " + dataType);
            }
            check(st, "cublas gemm (m=" + m + " n=" + n + " k=" + k + " batch=" + batch + ")");
        } catch (CudaException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublas gemm failed: " + t, t);
        }
    }
}
