package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kernel ABI: the C signatures of src/main/cuda, the parameter lists of the committed PTX, and the
 * argument lists CudaBackend passes to cuLaunchKernel must agree in count, order and size.
 *
 * <p>Tokens: i32 (int / JCuda int[]), i64 (long long / long[]), f32, f64 (double / double[]), ptr
 * (a device pointer / long[] address), lay (struct Lay by value / the int[18] of Launch.lay).
 */
class KernelAbiTest {
    /**
     * The arguments CudaBackend passes to each kernel, as written at its launch sites (helpers i(), d(),
     * ptr(), lay(), Pointer.to(long[]), and the error record err of checkedLaunch). Kernels that no
     * Java code launches yet are absent (their .cu and PTX are still checked against each other).
     */
    static final Map<String, String> JAVA_LAUNCHES = new LinkedHashMap<>();

    static {
        Map<String, String> j = JAVA_LAUNCHES;
        // elementwise.cu
        j.put("wp_unary", "i32 ptr i32 lay ptr i32 i32");                       // unary
        j.put("wp_binary", "i32 ptr i32 lay ptr i32 lay ptr i32 i32");          // binary
        j.put("wp_binary_scalar", "i32 ptr i32 lay f64 i32 ptr i32 i32");       // binaryScalar
        j.put("wp_where", "ptr i32 lay ptr i32 lay ptr i32 lay ptr i32 i32");   // where
        j.put("wp_clamp", "ptr i32 lay f64 f64 ptr i32");                       // clamp
        j.put("wp_copy", "ptr i32 lay ptr i32 lay i32 i32");                    // copy, copyInto, addInto
        j.put("wp_fill", "ptr i32 f64 i32");                                    // full
        // reduce.cu
        j.put("wp_reduce", "i32 ptr i32 lay lay i32 i32 ptr i32");              // reduce (both passes)
        j.put("wp_reduce_rows", "i32 ptr i32 lay lay i32 i32 ptr i32");         // reduce, inner <= 32
        j.put("wp_softmax", "ptr i32 ptr i32 i32 i32");                         // softmax
        j.put("wp_softmax_rows", "ptr i32 ptr i32 i32 i32 i32");                // softmax, n <= 32
        // nn.cu
        j.put("wp_maxpool2d", "ptr i32 ptr ptr i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32"); // maxPool2d
        j.put("wp_maxpool2d_backward", "ptr i32 ptr ptr i32 i32 i32");          // maxPool2dBackward
        j.put("wp_index_select", "ptr i32 lay i32 ptr lay ptr ptr i32");        // indexSelect
        j.put("wp_gather", "ptr i32 lay i32 ptr lay ptr ptr i32");              // gather
        j.put("wp_scatter_add", "ptr lay ptr i32 lay ptr i32 lay i32 ptr i32"); // scatterAdd
        j.put("wp_random", "i32 ptr i32 i32 i64 i64");                          // random
        for (String t : new String[]{"f32", "f64"}) {
            j.put("wp_weighted_ce_" + t, "ptr ptr ptr i32 i32 i32 ptr ptr ptr");                 // weightedCrossEntropy
            j.put("wp_class_weighted_ce_" + t, "ptr ptr i32 i32 i32 f64 ptr ptr");           // classWeightedCrossEntropy
            j.put("wp_sgd_" + t, "ptr ptr ptr i32 f64 f64 f64 f64 i32 i32");                     // optimizerUpdate
            j.put("wp_rmsprop_" + t, "ptr ptr ptr ptr ptr i32 f64 f64 f64 f64 f64");             // optimizerUpdate
            j.put("wp_adam_" + t, "ptr ptr ptr ptr ptr i32 f64 f64 f64 f64 f64 i32 f64 f64");    // optimizerUpdate
        }
    }

    static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");
    static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");

    /** The parameter tokens of each kernel of a .cu source. */
    static Map<String, List<String>> cuSignatures(String cu) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = KERNEL.matcher(cu);
        while (m.find()) {
            List<String> t = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                String s = p.trim().replaceAll("\\s+", " ");
                String type = s.substring(0, s.lastIndexOf(' ')).replace("const ", "").trim();
                t.add(type.endsWith("*") ? "ptr" : switch (type) {
                    case "int" -> "i32";
                    case "long long" -> "i64";
                    case "float" -> "f32";
                    case "double" -> "f64";
                    case "Lay" -> "lay";
                    default -> throw new AssertionError("unmapped kernel parameter type '" + type + "' in " + m.group(1));
                });
            }
            out.put(m.group(1), t);
        }
        return out;
    }

    /** The parameter declarations of each entry of a PTX module ("u32", "u64", "f64", "f32", "b8[72]"). */
    static Map<String, List<String>> ptxParams(String ptx) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        Pattern param = Pattern.compile("\\.param\\s+(?:\\.align\\s+(\\d+)\\s+)?\\.(\\w+)\\s+\\w+(?:\\[(\\d+)\\])?");
        while (m.find()) {
            List<String> t = new ArrayList<>();
            Matcher p = param.matcher(m.group(2));
            while (p.find()) t.add(p.group(3) == null ? p.group(2) : p.group(2) + "[" + p.group(3) + "]@" + p.group(1));
            out.put(m.group(1), t);
        }
        return out;
    }

    /** What nvcc makes of a C parameter token. */
    static String ptxOf(String token) {
        return switch (token) {
            case "i32" -> "u32";
            case "i64", "ptr" -> "u64";
            case "f32" -> "f32";
            case "f64" -> "f64";
            case "lay" -> "b8[" + Launch.LAY.byteSize() + "]@" + Launch.LAY.byteAlignment();
            default -> throw new AssertionError(token);
        };
    }

    @Test
    void cuSignaturesPtxParamsAndJavaLaunchesAgree() throws Exception {
        int launched = 0;
        for (String module : CudaBackend.MODULES) {
            Map<String, List<String>> cu = cuSignatures(Files.readString(CudaPtxTest.SRC.resolve(module + ".cu")));
            Map<String, List<String>> ptx = ptxParams(CudaPtxTest.resource(module));
            assertEquals(cu.keySet(), ptx.keySet(), module);
            for (var e : cu.entrySet()) {
                String k = e.getKey();
                assertEquals(e.getValue().stream().map(KernelAbiTest::ptxOf).toList(), ptx.get(k), k + ": .cu vs PTX");
                String java = JAVA_LAUNCHES.get(k);
                if (java != null) {
                    assertEquals(List.of(java.split(" ")), e.getValue(), k + ": CudaBackend's arguments vs the kernel");
                    launched++;
                }
            }
        }
        assertEquals(JAVA_LAUNCHES.size(), launched, "every launched kernel exists");
    }

    @Test
    void layStructMatchesCommonCuh() throws Exception {
        String h = Files.readString(CudaPtxTest.SRC.resolve("common.cuh"));
        Matcher rank = Pattern.compile("#define WP_MAX_RANK (\\d+)").matcher(h);
        assertTrue(rank.find());
        assertEquals(Launch.MAX_RANK, Integer.parseInt(rank.group(1)));
        Matcher s = Pattern.compile("struct Lay \\{([^}]*)\\}").matcher(h);
        assertTrue(s.find());
        List<String> fields = new ArrayList<>();
        for (String f : s.group(1).split(";")) if (!f.isBlank()) fields.add(f.trim().replaceAll("\\s+", " "));
        assertEquals(List.of("int rank", "int offset", "int shape[WP_MAX_RANK]", "int stride[WP_MAX_RANK]"), fields);
        assertEquals(72, Launch.LAY.byteSize());
        assertEquals(4, Launch.LAY.byteAlignment());
        assertEquals(18, Launch.LAY_INTS);
        assertEquals(0, Launch.LAY_RANK);
        assertEquals(1, Launch.LAY_OFFSET);
        assertEquals(2, Launch.LAY_SHAPE);
        assertEquals(10, Launch.LAY_STRIDE);
        assertEquals(8, Launch.LAY.byteOffset(MemoryLayout.PathElement.groupElement("shape")));
        assertEquals(40, Launch.LAY.byteOffset(MemoryLayout.PathElement.groupElement("stride")));
        Matcher red = Pattern.compile("#define WP_RED_THREADS (\\d+)").matcher(Files.readString(CudaPtxTest.SRC.resolve("reduce.cu")));
        assertTrue(red.find());
        assertEquals(Launch.THREADS, Integer.parseInt(red.group(1)), "one-block-per-row kernels are launched with THREADS");
    }
}
