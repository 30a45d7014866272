package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS through FFM (libcublas.so.13, else .12). Row-major GEMMs map to column-major cuBLAS by
 * computing C^T = op(B)^T op(A)^T: swap the operands and m/n, keep the leading dimensions.
 */
final class Cublas {
    static final int OP_N = 0, OP_T = 1;
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;
    static final int CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_16BF = 14;
    static final int COMPUTE_32F = 68;
    static final int GEMM_DEFAULT = -1;

    private static volatile Cublas instance;

    final NativeLibrary lib;
    private final MethodHandle create, destroy, setStream, setMathMode, sgemm, dgemm, gemmEx, statusName;

    private Cublas(NativeLibrary lib) {
        this.lib = lib;
        create = lib.fn("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = lib.fn("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setStream = lib.fn("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = lib.fn("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        FunctionDescriptor strided = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_LONG, JAVA_INT);
        sgemm = lib.fn("cublasSgemmStridedBatched", strided);
        dgemm = lib.fn("cublasDgemmStridedBatched", strided);
        gemmEx = lib.fn("cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT));
        statusName = lib.has("cublasGetStatusName")
                ? lib.fn("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT)) : null;
    }

    static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12");

    /** Loads and binds cuBLAS once; IllegalStateException with the search path when it is missing. */
    static Cublas get() {
        Cublas c = instance;
        if (c == null) {
            synchronized (Cublas.class) {
                if (instance == null) instance = new Cublas(NativeLibrary.load("cuBLAS", SONAMES, NativeLibrary.defaultSearchPath()));
                c = instance;
            }
        }
        return c;
    }

    void check(int status, String op) {
        if (status == 0) return;
        String name = "CUBLAS_STATUS_" + status;
        try {
            if (statusName != null) name = ((MemorySegment) statusName.invokeExact(status)).reinterpret(256).getString(0);
        } catch (Throwable ignored) { // keep the numeric name
        }
        throw new CudaException(op + " failed: " + name + " (cuBLAS " + lib.name() + ")");
    }

    /** A handle bound to a stream (raw CUstream address). */
    MemorySegment createHandle(long stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) create.invokeExact(p), "cublasCreate");
            MemorySegment h = p.get(ADDRESS, 0);
            check((int) setStream.invokeExact(h, MemorySegment.ofAddress(stream)), "cublasSetStream");
            return h;
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublasCreate failed: " + t, t);
        }
    }

    void destroyHandle(MemorySegment h) {
        try {
            check((int) destroy.invokeExact(h), "cublasDestroy");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublasDestroy failed: " + t, t);
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
                default -> { // 16-bit storage, FP32 accumulation
                    MemorySegment one = ar.allocateFrom(JAVA_FLOAT, 1f), zero = ar.allocateFrom(JAVA_FLOAT, 0f);
                    st = (int) gemmEx.invokeExact(handle, opB, opA, n, m, k, one, B, dataType, ldb, bStride, A, dataType, lda,
                            aStride, zero, C, dataType, n, cStride, batch, COMPUTE_32F, GEMM_DEFAULT);
                }
            }
            check(st, "cublas gemm (m=" + m + " n=" + n + " k=" + k + " batch=" + batch + ")");
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("cublas gemm failed: " + t, t);
        }
    }
}
