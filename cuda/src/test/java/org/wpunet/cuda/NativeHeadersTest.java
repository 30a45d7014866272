package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pins the FFM bindings of {@link Cublas} and {@link CudnnLibrary} to the C headers, without loading any
 * library. The prototypes and enum values below were transcribed from:
 * <ul>
 *   <li>cuBLAS: cublas_api.h of cuBLAS 12.6.4 (CUDA 12.6) and of cuBLAS 13.0.0 (CUDA 13.0); the
 *       declarations used here are identical in both;</li>
 *   <li>CUDA: library_types.h of CUDA 13.0 (cudaDataType_t);</li>
 *   <li>cuDNN: cudnn_graph.h, cudnn_ops.h and cudnn_cnn.h of cuDNN 9.6.0 (CUDNN_MAJOR 9).</li>
 * </ul>
 * C types map to layouts as on LP64 Linux: int and every enum are 4-byte JAVA_INT, size_t and long
 * long are JAVA_LONG, double is JAVA_DOUBLE, float JAVA_FLOAT, and pointers, handles (pointer
 * typedefs such as cudnnHandle_t, cudnnTensorDescriptor_t, cudaStream_t) are ADDRESS.
 */
class NativeHeadersTest {
    // ------------------------------------------------------------------ enum constants
    @Test
    void cublasConstantsMatchCublasApiH() {
        // cublas_api.h: typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2, ... } cublasOperation_t
        assertEquals(0, Cublas.OP_N);
        assertEquals(1, Cublas.OP_T);
        // cublas_api.h: cublasMath_t { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TENSOR_OP_MATH = 1,
        //   CUBLAS_PEDANTIC_MATH = 2, CUBLAS_TF32_TENSOR_OP_MATH = 3, ... }
        assertEquals(0, Cublas.DEFAULT_MATH);
        assertEquals(3, Cublas.TF32_TENSOR_OP_MATH);
        // cublas_api.h: cublasComputeType_t { CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_PEDANTIC = 69,
        //   CUBLAS_COMPUTE_64F = 70, CUBLAS_COMPUTE_32F_FAST_TF32 = 77, ... }
        assertEquals(68, Cublas.COMPUTE_32F);
        assertEquals(70, Cublas.COMPUTE_64F);
        assertEquals(77, Cublas.COMPUTE_32F_FAST_TF32);
        // cublas_api.h: cublasGemmAlgo_t { CUBLAS_GEMM_DFALT = -1, CUBLAS_GEMM_DEFAULT = -1, ... }
        assertEquals(-1, Cublas.GEMM_DEFAULT);
        // library_types.h: cudaDataType_t { CUDA_R_16F = 2, CUDA_R_16BF = 14, CUDA_R_32F = 0, CUDA_R_64F = 1, ... }
        assertEquals(0, Cublas.CUDA_R_32F);
        assertEquals(1, Cublas.CUDA_R_64F);
        assertEquals(2, Cublas.CUDA_R_16F);
        assertEquals(14, Cublas.CUDA_R_16BF);
        // cublas_api.h: cublasStatus_t
        assertEquals(Map.of(0, "CUBLAS_STATUS_SUCCESS", 1, "CUBLAS_STATUS_NOT_INITIALIZED", 3, "CUBLAS_STATUS_ALLOC_FAILED",
                7, "CUBLAS_STATUS_INVALID_VALUE", 8, "CUBLAS_STATUS_ARCH_MISMATCH", 11, "CUBLAS_STATUS_MAPPING_ERROR",
                13, "CUBLAS_STATUS_EXECUTION_FAILED", 14, "CUBLAS_STATUS_INTERNAL_ERROR", 15, "CUBLAS_STATUS_NOT_SUPPORTED",
                16, "CUBLAS_STATUS_LICENSE_ERROR"), Cublas.STATUS);
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Cublas.statusName(7));
        assertEquals("CUBLAS_STATUS_99", Cublas.statusName(99));
    }

    @Test
    void cudnnConstantsMatchCudnnHeaders() {
        // cudnn_graph.h: cudnnDataType_t { CUDNN_DATA_FLOAT = 0, CUDNN_DATA_DOUBLE = 1, CUDNN_DATA_HALF = 2, ...,
        //   CUDNN_DATA_BFLOAT16 = 9, ... }
        assertEquals(0, CudnnLibrary.DATA_FLOAT);
        assertEquals(1, CudnnLibrary.DATA_DOUBLE);
        assertEquals(2, CudnnLibrary.DATA_HALF);
        assertEquals(9, CudnnLibrary.DATA_BFLOAT16);
        // cudnn_graph.h: cudnnTensorFormat_t { CUDNN_TENSOR_NCHW = 0, CUDNN_TENSOR_NHWC = 1, ... }
        assertEquals(0, CudnnLibrary.FORMAT_NCHW);
        // cudnn_graph.h: cudnnConvolutionMode_t { CUDNN_CONVOLUTION = 0, CUDNN_CROSS_CORRELATION = 1 }
        assertEquals(1, CudnnLibrary.CROSS_CORRELATION);
        // cudnn_graph.h: cudnnMathType_t { CUDNN_DEFAULT_MATH = 0, CUDNN_TENSOR_OP_MATH = 1,
        //   CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2, CUDNN_FMA_MATH = 3 }
        assertEquals(0, CudnnLibrary.MATH_DEFAULT);
        assertEquals(1, CudnnLibrary.MATH_TENSOR_OP);
        assertEquals(3, CudnnLibrary.MATH_FMA);
        // cudnn_ops.h: cudnnBatchNormMode_t { CUDNN_BATCHNORM_PER_ACTIVATION = 0, CUDNN_BATCHNORM_SPATIAL = 1, ... }
        assertEquals(1, CudnnLibrary.BN_SPATIAL);
        // cudnn_graph.h: cudnnStatus_t of cuDNN 9 (categorised codes; cuDNN 8's 1..15 are gone)
        Map<Integer, String> expected = Map.ofEntries(Map.entry(0, "CUDNN_STATUS_SUCCESS"),
                Map.entry(1001, "CUDNN_STATUS_NOT_INITIALIZED"), Map.entry(1002, "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH"),
                Map.entry(1008, "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED"), Map.entry(2000, "CUDNN_STATUS_BAD_PARAM"),
                Map.entry(2001, "CUDNN_STATUS_INVALID_VALUE"), Map.entry(2002, "CUDNN_STATUS_BAD_PARAM_NULL_POINTER"),
                Map.entry(3000, "CUDNN_STATUS_NOT_SUPPORTED"), Map.entry(3007, "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH"),
                Map.entry(4000, "CUDNN_STATUS_INTERNAL_ERROR"),
                Map.entry(4003, "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED"),
                Map.entry(4004, "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED"),
                Map.entry(5000, "CUDNN_STATUS_EXECUTION_FAILED"));
        assertEquals(expected, CudnnLibrary.STATUS);
        assertEquals(0, CudnnLibrary.STATUS_SUCCESS);
        assertEquals("CUDNN_STATUS_7", CudnnLibrary.statusName(7));
    }

    // ------------------------------------------------------------------ struct layouts
    @Test
    void perfStructsMatchCudnnCnnH() {
        // cudnn_cnn.h (identical for Fwd, BwdData and BwdFilter):
        //   typedef struct cudnnConvolution*AlgoPerfStruct {
        //       cudnnConvolution*Algo_t algo;     // enum: 4 bytes @0
        //       cudnnStatus_t status;             // enum: 4 bytes @4
        //       float time;                       // 4 bytes @8
        //       size_t memory;                    // 8 bytes, 8-aligned: @16 after 4 bytes of padding
        //       cudnnDeterminism_t determinism;   // @24
        //       cudnnMathType_t mathType;         // @28
        //       int reserved[3];                  // @32..44
        //   } ...;                                // alignment 8: sizeof = 48 (4 bytes of tail padding)
        assertEquals(48, CudnnLibrary.PERF.byteSize());
        assertEquals(8, CudnnLibrary.PERF.byteAlignment());
        assertEquals(48, CudnnLibrary.PERF_SIZE);
        assertEquals(0, CudnnLibrary.PERF_ALGO);
        assertEquals(4, CudnnLibrary.PERF_STATUS);
        assertEquals(8, CudnnLibrary.PERF.byteOffset(MemoryLayout.PathElement.groupElement("time")));
        assertEquals(16, CudnnLibrary.PERF_MEMORY);
        assertEquals(24, CudnnLibrary.PERF.byteOffset(MemoryLayout.PathElement.groupElement("determinism")));
        assertEquals(28, CudnnLibrary.PERF_MATH);
        assertEquals(32, CudnnLibrary.PERF.byteOffset(MemoryLayout.PathElement.groupElement("reserved")));
        assertEquals(12, CudnnLibrary.PERF.select(MemoryLayout.PathElement.groupElement("reserved")).byteSize());
        // the same layout computed the way a C compiler does (natural alignment, padded to the largest)
        assertEquals(48, cStructSize(4, 4, 4, 8, 4, 4, 4, 4, 4));
    }

    /** sizeof of a C struct of naturally aligned scalar fields of the given sizes. */
    static long cStructSize(long... sizes) {
        long off = 0, align = 1;
        for (long s : sizes) {
            off = (off + s - 1) / s * s + s;
            align = Math.max(align, s);
        }
        return (off + align - 1) / align * align;
    }

    // ------------------------------------------------------------------ function signatures
    /** C prototypes (return type, then parameter types) as declared in the headers. */
    static final Map<String, String> CUBLAS_PROTOTYPES = new LinkedHashMap<>();
    static final Map<String, String> CUDNN_PROTOTYPES = new LinkedHashMap<>();

    static {
        Map<String, String> b = CUBLAS_PROTOTYPES;
        b.put("cublasCreate_v2", "cublasStatus_t (cublasHandle_t*)");
        b.put("cublasDestroy_v2", "cublasStatus_t (cublasHandle_t)");
        b.put("cublasSetStream_v2", "cublasStatus_t (cublasHandle_t, cudaStream_t)");
        b.put("cublasSetMathMode", "cublasStatus_t (cublasHandle_t, cublasMath_t)");
        String sb = "cublasStatus_t (cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const T*, "
                + "const T*, int, long long int, const T*, int, long long int, const T*, T*, int, long long int, int)";
        b.put("cublasSgemmStridedBatched", sb.replace("T*", "float*"));
        b.put("cublasDgemmStridedBatched", sb.replace("T*", "double*"));
        b.put("cublasGemmStridedBatchedEx", "cublasStatus_t (cublasHandle_t, cublasOperation_t, cublasOperation_t, "
                + "int, int, int, const void*, const void*, cudaDataType, int, long long int, const void*, cudaDataType, "
                + "int, long long int, const void*, void*, cudaDataType, int, long long int, int, cublasComputeType_t, "
                + "cublasGemmAlgo_t)");
        b.put("cublasGetStatusName", "const char* (cublasStatus_t)");

        Map<String, String> d = CUDNN_PROTOTYPES;
        // cudnn_graph.h
        d.put("cudnnGetVersion", "size_t (void)");
        d.put("cudnnGetErrorString", "const char* (cudnnStatus_t)");
        d.put("cudnnCreate", "cudnnStatus_t (cudnnHandle_t*)");
        d.put("cudnnSetStream", "cudnnStatus_t (cudnnHandle_t, cudaStream_t)");
        // cudnn_ops.h
        d.put("cudnnCreateTensorDescriptor", "cudnnStatus_t (cudnnTensorDescriptor_t*)");
        d.put("cudnnDestroyTensorDescriptor", "cudnnStatus_t (cudnnTensorDescriptor_t)");
        d.put("cudnnSetTensor4dDescriptor", "cudnnStatus_t (cudnnTensorDescriptor_t, cudnnTensorFormat_t, "
                + "cudnnDataType_t, int, int, int, int)");
        d.put("cudnnCreateFilterDescriptor", "cudnnStatus_t (cudnnFilterDescriptor_t*)");
        d.put("cudnnDestroyFilterDescriptor", "cudnnStatus_t (cudnnFilterDescriptor_t)");
        d.put("cudnnSetFilter4dDescriptor", "cudnnStatus_t (cudnnFilterDescriptor_t, cudnnDataType_t, "
                + "cudnnTensorFormat_t, int, int, int, int)");
        d.put("cudnnAddTensor", "cudnnStatus_t (cudnnHandle_t, const void*, const cudnnTensorDescriptor_t, const void*, "
                + "const void*, const cudnnTensorDescriptor_t, void*)");
        d.put("cudnnBatchNormalizationForwardTraining", "cudnnStatus_t (cudnnHandle_t, cudnnBatchNormMode_t, const void*, "
                + "const void*, const cudnnTensorDescriptor_t, const void*, const cudnnTensorDescriptor_t, void*, "
                + "const cudnnTensorDescriptor_t, const void*, const void*, double, void*, void*, double, void*, void*)");
        d.put("cudnnBatchNormalizationForwardInference", "cudnnStatus_t (cudnnHandle_t, cudnnBatchNormMode_t, "
                + "const void*, const void*, const cudnnTensorDescriptor_t, const void*, const cudnnTensorDescriptor_t, "
                + "void*, const cudnnTensorDescriptor_t, const void*, const void*, const void*, const void*, double)");
        d.put("cudnnBatchNormalizationBackward", "cudnnStatus_t (cudnnHandle_t, cudnnBatchNormMode_t, const void*, "
                + "const void*, const void*, const void*, const cudnnTensorDescriptor_t, const void*, "
                + "const cudnnTensorDescriptor_t, const void*, const cudnnTensorDescriptor_t, void*, "
                + "const cudnnTensorDescriptor_t, const void*, void*, void*, double, const void*, const void*)");
        // cudnn_cnn.h
        d.put("cudnnCreateConvolutionDescriptor", "cudnnStatus_t (cudnnConvolutionDescriptor_t*)");
        d.put("cudnnDestroyConvolutionDescriptor", "cudnnStatus_t (cudnnConvolutionDescriptor_t)");
        d.put("cudnnSetConvolution2dDescriptor", "cudnnStatus_t (cudnnConvolutionDescriptor_t, int, int, int, int, int, "
                + "int, cudnnConvolutionMode_t, cudnnDataType_t)");
        d.put("cudnnSetConvolutionMathType", "cudnnStatus_t (cudnnConvolutionDescriptor_t, cudnnMathType_t)");
        d.put("cudnnFindConvolutionForwardAlgorithmEx", "cudnnStatus_t (cudnnHandle_t, const cudnnTensorDescriptor_t, "
                + "const void*, const cudnnFilterDescriptor_t, const void*, const cudnnConvolutionDescriptor_t, "
                + "const cudnnTensorDescriptor_t, void*, const int, int*, cudnnConvolutionFwdAlgoPerf_t*, void*, size_t)");
        d.put("cudnnFindConvolutionBackwardDataAlgorithmEx", "cudnnStatus_t (cudnnHandle_t, const cudnnFilterDescriptor_t, "
                + "const void*, const cudnnTensorDescriptor_t, const void*, const cudnnConvolutionDescriptor_t, "
                + "const cudnnTensorDescriptor_t, void*, const int, int*, cudnnConvolutionBwdDataAlgoPerf_t*, void*, size_t)");
        d.put("cudnnFindConvolutionBackwardFilterAlgorithmEx", "cudnnStatus_t (cudnnHandle_t, const cudnnTensorDescriptor_t, "
                + "const void*, const cudnnTensorDescriptor_t, const void*, const cudnnConvolutionDescriptor_t, "
                + "const cudnnFilterDescriptor_t, void*, const int, int*, cudnnConvolutionBwdFilterAlgoPerf_t*, void*, size_t)");
        d.put("cudnnConvolutionForward", "cudnnStatus_t (cudnnHandle_t, const void*, const cudnnTensorDescriptor_t, "
                + "const void*, const cudnnFilterDescriptor_t, const void*, const cudnnConvolutionDescriptor_t, "
                + "cudnnConvolutionFwdAlgo_t, void*, size_t, const void*, const cudnnTensorDescriptor_t, void*)");
        d.put("cudnnConvolutionBackwardData", "cudnnStatus_t (cudnnHandle_t, const void*, const cudnnFilterDescriptor_t, "
                + "const void*, const cudnnTensorDescriptor_t, const void*, const cudnnConvolutionDescriptor_t, "
                + "cudnnConvolutionBwdDataAlgo_t, void*, size_t, const void*, const cudnnTensorDescriptor_t, void*)");
        d.put("cudnnConvolutionBackwardFilter", "cudnnStatus_t (cudnnHandle_t, const void*, const cudnnTensorDescriptor_t, "
                + "const void*, const cudnnTensorDescriptor_t, const void*, const cudnnConvolutionDescriptor_t, "
                + "cudnnConvolutionBwdFilterAlgo_t, void*, size_t, const void*, const cudnnFilterDescriptor_t, void*)");
        d.put("cudnnConvolutionBackwardBias", "cudnnStatus_t (cudnnHandle_t, const void*, const cudnnTensorDescriptor_t, "
                + "const void*, const void*, const cudnnTensorDescriptor_t, void*)");
    }

    /** Pointer typedefs of the headers (opaque struct pointers): passed as ADDRESS. */
    static final Set<String> HANDLES = Set.of("cublasHandle_t", "cudaStream_t", "cudnnHandle_t", "cudnnTensorDescriptor_t",
            "cudnnFilterDescriptor_t", "cudnnConvolutionDescriptor_t");
    /** Enum typedefs and status types: 4-byte ints. */
    static final Set<String> ENUMS = Set.of("int", "cublasStatus_t", "cublasOperation_t", "cublasMath_t", "cudaDataType",
            "cublasComputeType_t", "cublasGemmAlgo_t", "cudaDataType_t", "cudnnStatus_t", "cudnnTensorFormat_t", "cudnnDataType_t",
            "cudnnConvolutionMode_t", "cudnnMathType_t", "cudnnBatchNormMode_t", "cudnnConvolutionFwdAlgo_t",
            "cudnnConvolutionBwdDataAlgo_t", "cudnnConvolutionBwdFilterAlgo_t");

    /** The FFM layout of a C type on LP64 Linux; empty for void. */
    static Optional<MemoryLayout> layoutOf(String cType) {
        String t = cType.trim().replaceFirst("^const ", "").trim();
        if (t.equals("void")) return Optional.empty();
        if (t.endsWith("*") || HANDLES.contains(t)) return Optional.of(ValueLayout.ADDRESS);
        if (ENUMS.contains(t)) return Optional.of(ValueLayout.JAVA_INT);
        return Optional.of(switch (t) {
            case "size_t", "long long int", "long long", "int64_t" -> ValueLayout.JAVA_LONG;
            case "double" -> ValueLayout.JAVA_DOUBLE;
            case "float" -> ValueLayout.JAVA_FLOAT;
            default -> throw new IllegalArgumentException("unmapped C type " + cType);
        });
    }

    static FunctionDescriptor descriptorOf(String prototype) {
        int open = prototype.indexOf('(');
        MemoryLayout ret = layoutOf(prototype.substring(0, open)).orElseThrow();
        String params = prototype.substring(open + 1, prototype.lastIndexOf(')'));
        List<MemoryLayout> args = new ArrayList<>();
        for (String p : params.split(",")) layoutOf(p).ifPresent(args::add);
        return FunctionDescriptor.of(ret, args.toArray(new MemoryLayout[0]));
    }

    static void assertBindings(Map<String, String> prototypes, Map<String, FunctionDescriptor> bound) {
        assertEquals(prototypes.keySet(), bound.keySet(), "every bound symbol has a verified prototype and vice versa");
        for (var e : prototypes.entrySet()) {
            FunctionDescriptor want = descriptorOf(e.getValue()), got = bound.get(e.getKey());
            long params = e.getValue().chars().filter(c -> c == ',').count() + (e.getValue().contains("(void)") ? 0 : 1);
            assertEquals(params, got.argumentLayouts().size(), e.getKey() + " arity");
            assertEquals(want, got, e.getKey() + ": " + e.getValue());
        }
    }

    @Test
    void cublasDescriptorsMatchPrototypes() {
        assertBindings(CUBLAS_PROTOTYPES, Cublas.SIGNATURES);
        assertEquals(18, Cublas.SIGNATURES.get("cublasSgemmStridedBatched").argumentLayouts().size());
        assertEquals(23, Cublas.SIGNATURES.get("cublasGemmStridedBatchedEx").argumentLayouts().size());
    }

    @Test
    void cudnnDescriptorsMatchPrototypes() {
        assertBindings(CUDNN_PROTOTYPES, CudnnLibrary.SIGNATURES);
        assertEquals(17, CudnnLibrary.SIGNATURES.get("cudnnBatchNormalizationForwardTraining").argumentLayouts().size());
        assertEquals(14, CudnnLibrary.SIGNATURES.get("cudnnBatchNormalizationForwardInference").argumentLayouts().size());
        assertEquals(19, CudnnLibrary.SIGNATURES.get("cudnnBatchNormalizationBackward").argumentLayouts().size());
        assertEquals(13, CudnnLibrary.SIGNATURES.get("cudnnConvolutionForward").argumentLayouts().size());
        assertEquals(13, CudnnLibrary.SIGNATURES.get("cudnnFindConvolutionForwardAlgorithmEx").argumentLayouts().size());
    }

    @Test
    void noSymbolsRemovedInCudnn9OrUnsuffixedCublasNames() {
        // cuDNN 9.0 removed cudnnGetConvolution{Forward,BackwardData,BackwardFilter}Algorithm (the _v7 ones
        // remain); cuBLAS exports the helper functions only with the _v2 suffix (cublas_v2.h #defines the rest).
        for (String removed : List.of("cudnnGetConvolutionForwardAlgorithm", "cudnnGetConvolutionBackwardDataAlgorithm",
                "cudnnGetConvolutionBackwardFilterAlgorithm", "cudnnSetRNNDescriptor_v6", "cudnnGetRNNWorkspaceSize")) {
            assertFalse(CudnnLibrary.SIGNATURES.containsKey(removed), removed);
        }
        for (String unsuffixed : List.of("cublasCreate", "cublasDestroy", "cublasSetStream", "cublasSgemm", "cublasDgemm")) {
            assertFalse(Cublas.SIGNATURES.containsKey(unsuffixed), unsuffixed);
        }
    }

    // ------------------------------------------------------------------ library loading
    @Test
    void companionsOfTheSplitLibraries() {
        assertEquals(List.of("libcublasLt.so.13"), Cublas.companions("libcublas.so.13"));
        assertEquals(List.of("libcublasLt.so.12"), Cublas.companions("libcublas.so.12"));
        assertEquals("libcudnn_graph.so.9", CudnnLibrary.COMPANIONS.get(0), "ops and cnn need graph loaded first");
        assertTrue(CudnnLibrary.COMPANIONS.indexOf("libcudnn_ops.so.9") < CudnnLibrary.COMPANIONS.indexOf("libcudnn_cnn.so.9"));
        assertEquals(List.of("libcudnn.so.9"), CudnnLibrary.SONAMES);
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12"), Cublas.SONAMES);
    }
}
