package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The FFM bindings against the headers installed on this machine, not against a transcription: every
 * bound function's prototype is parsed out of cublas_api.h / cudnn_*.h and its FFM descriptor compared
 * with the bound one, and the enum constants with library_types.h. A header that is not installed
 * skips its test (CUDA 13 on our CI machine ships library_types.h but not cuBLAS or cuDNN headers; the
 * GPU machine has all of them, and the GPU script runs this class there).
 */
class RealHeadersTest {
    static final List<Path> INCLUDE_DIRS = List.of(Path.of("/usr/local/cuda/include"), Path.of("/usr/include"),
            Path.of("/usr/include/x86_64-linux-gnu"));

    /** The concatenated text of the named headers found in the include dirs (empty when none is). */
    static String headers(String... names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            for (Path dir : INCLUDE_DIRS) {
                Path p = dir.resolve(n);
                if (Files.isRegularFile(p)) {
                    try {
                        sb.append(Files.readString(p)).append('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    break;
                }
            }
        }
        return sb.toString();
    }

    /** Comments and preprocessor lines removed, whitespace collapsed. */
    static String clean(String c) {
        String s = c.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ").replaceAll("(?m)^\\s*#.*$", " ");
        return s.replaceAll("\\s+", " ");
    }

    static final Pattern DECORATIONS = Pattern.compile(
            "\\b(CUBLASAPI|CUBLASWINAPI|CUDNNWINAPI|CUDNN_DEPRECATED|CUDNN_DEPRECATED_ENUM|extern|\"C\")\\b");

    /**
     * The prototype of {@code fn} as "ret (type, type, ...)" with the parameter names dropped, or null
     * when the header text does not declare it.
     */
    static String prototype(String header, String fn) {
        Matcher m = Pattern.compile("([A-Za-z_][\\w\\s\\*]*?)\\b" + Pattern.quote(fn) + "\\s*\\(([^)]*)\\)\\s*;").matcher(header);
        while (m.find()) {
            String ret = DECORATIONS.matcher(m.group(1)).replaceAll(" ").trim();
            int cut = Math.max(ret.lastIndexOf(';'), ret.lastIndexOf('}'));
            ret = ret.substring(cut + 1).trim().replaceAll("\\s*\\*", "*");
            if (ret.isEmpty() || ret.startsWith("typedef")) continue;
            List<String> types = new ArrayList<>();
            for (String p : m.group(2).split(",")) types.add(typeOf(p.trim()));
            return ret + " (" + String.join(", ", types) + ")";
        }
        return null;
    }

    /** "const float *alpha" -> "const float*"; "void" -> "void"; "int n" -> "int". */
    static String typeOf(String param) {
        String p = param.replaceAll("\\s*\\*\\s*", "* ").trim().replaceAll("\\[\\s*\\]$", "*");
        if (p.equals("void")) return p;
        int cut = p.lastIndexOf(' ');
        String t = cut < 0 ? p : p.substring(0, cut).trim();
        return t.isEmpty() ? p : t.replace("* ", "*").replaceAll("\\s+\\*", "*");
    }

    static void assertBindingsMatch(String header, Map<String, FunctionDescriptor> bound, String lib) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String fn : bound.keySet()) {
            String proto = prototype(header, fn);
            assertNotNull(proto, fn + " is bound but not declared in the installed " + lib + " headers");
            found.put(fn, proto);
        }
        NativeHeadersTest.assertBindings(found, bound);
    }

    @Test
    void cublasBindingsMatchTheInstalledHeader() {
        String h = clean(headers("cublas_api.h"));
        assumeFalse(h.isBlank(), "cublas_api.h not installed in " + INCLUDE_DIRS);
        assertBindingsMatch(h, Cublas.SIGNATURES, "cuBLAS");
        for (var e : Map.of("CUBLAS_OP_N", Cublas.OP_N, "CUBLAS_OP_T", Cublas.OP_T, "CUBLAS_DEFAULT_MATH", Cublas.DEFAULT_MATH,
                "CUBLAS_TF32_TENSOR_OP_MATH", Cublas.TF32_TENSOR_OP_MATH, "CUBLAS_COMPUTE_32F", Cublas.COMPUTE_32F,
                "CUBLAS_COMPUTE_64F", Cublas.COMPUTE_64F, "CUBLAS_COMPUTE_32F_FAST_TF32", Cublas.COMPUTE_32F_FAST_TF32,
                "CUBLAS_GEMM_DEFAULT", Cublas.GEMM_DEFAULT).entrySet()) {
            assertEquals(enumValue(h, e.getKey()), (int) e.getValue(), e.getKey());
        }
    }

    @Test
    void cudnnBindingsMatchTheInstalledHeaders() {
        String h = clean(headers("cudnn_graph.h", "cudnn_ops.h", "cudnn_cnn.h"));
        assumeFalse(h.isBlank(), "cuDNN 9 headers (cudnn_graph.h, cudnn_ops.h, cudnn_cnn.h) not installed in " + INCLUDE_DIRS);
        assertBindingsMatch(h, CudnnLibrary.SIGNATURES, "cuDNN");
        for (var e : Map.of("CUDNN_DATA_FLOAT", CudnnLibrary.DATA_FLOAT, "CUDNN_DATA_DOUBLE", CudnnLibrary.DATA_DOUBLE,
                "CUDNN_DATA_HALF", CudnnLibrary.DATA_HALF, "CUDNN_DATA_BFLOAT16", CudnnLibrary.DATA_BFLOAT16,
                "CUDNN_TENSOR_NCHW", CudnnLibrary.FORMAT_NCHW, "CUDNN_CROSS_CORRELATION", CudnnLibrary.CROSS_CORRELATION,
                "CUDNN_BATCHNORM_SPATIAL", CudnnLibrary.BN_SPATIAL, "CUDNN_FMA_MATH", CudnnLibrary.MATH_FMA,
                "CUDNN_DEFAULT_MATH", CudnnLibrary.MATH_DEFAULT, "CUDNN_TENSOR_OP_MATH", CudnnLibrary.MATH_TENSOR_OP).entrySet()) {
            assertEquals(enumValue(h, e.getKey()), (int) e.getValue(), e.getKey());
        }
    }

    @Test
    void dataTypeCodesMatchLibraryTypesH() {
        String h = clean(headers("library_types.h"));
        assumeFalse(h.isBlank(), "library_types.h not installed in " + INCLUDE_DIRS);
        assertEquals(enumValue(h, "CUDA_R_32F"), Cublas.CUDA_R_32F);
        assertEquals(enumValue(h, "CUDA_R_64F"), Cublas.CUDA_R_64F);
        assertEquals(enumValue(h, "CUDA_R_16F"), Cublas.CUDA_R_16F);
        assertEquals(enumValue(h, "CUDA_R_16BF"), Cublas.CUDA_R_16BF);
    }

    /** The value of an enumerator written with an explicit value ({@code NAME = 14}). */
    static int enumValue(String header, String name) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\s*=\\s*(-?\\d+)").matcher(header);
        assertTrue(m.find(), name + " not found with an explicit value");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void prototypeParserReadsHeaderStyleDeclarations() {
        String h = clean("""
                /* comment */ CUBLASAPI cublasStatus_t CUBLASWINAPI cublasSetMathMode(cublasHandle_t handle,
                        cublasMath_t mode);
                cudnnStatus_t CUDNNWINAPI
                cudnnAddTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t aDesc,
                               const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C);
                size_t CUDNNWINAPI cudnnGetVersion(void);
                """);
        assertEquals("cublasStatus_t (cublasHandle_t, cublasMath_t)", prototype(h, "cublasSetMathMode"));
        assertEquals("cudnnStatus_t (cudnnHandle_t, const void*, const cudnnTensorDescriptor_t, const void*, const void*, "
                + "const cudnnTensorDescriptor_t, void*)", prototype(h, "cudnnAddTensor"));
        assertEquals("size_t (void)", prototype(h, "cudnnGetVersion"));
        assertNull(prototype(h, "cudnnCreate"));
    }
}
