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
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.Storage;
import org.wpunet.core.UnaryOp;

/**
 * The kernel ABI: the C signatures of src/main/cuda, the parameter lists of the committed PTX, and the
 * argument lists {@link KernelCalls} builds for cuLaunchKernel must agree in count, order and size.
 *
 * <p>Tokens: i32 (int / JCuda int[]), i64 (long long / long[]), f32, f64 (double / double[]), ptr
 * (a device pointer / long[] address), lay (struct Lay by value / the int[18] of Launch.lay).
 */
class KernelAbiTest {
    /**
     * One call of every kernel, built by {@link KernelCalls} (the code the backend launches), on small
     * host storages: their argument classes are what the backend passes to cuLaunchKernel.
     */
    static List<KernelCall> sampleCalls() {
        HostStorage f = new HostStorage(DType.F32, 24), d = new HostStorage(DType.F64, 24), i = new HostStorage(DType.I32, 24);
        Layout l = Layout.contiguous(2, 3, 4), row = Layout.contiguous(24);
        List<KernelCall> c = new ArrayList<>();
        for (HostStorage x : new HostStorage[]{f, d}) { // float and double compute types
            c.add(KernelCalls.fill(x, 1));
            c.add(KernelCalls.copy(f, l, x, l, false, "t"));
            c.add(KernelCalls.unary(UnaryOp.EXP, x, l, f));
            c.add(KernelCalls.binary(BinaryOp.ADD, f, l, x, l, f));
            c.add(KernelCalls.binaryScalar(BinaryOp.MUL, x, l, 2, true, f));
            c.add(KernelCalls.where(f, l, x, l, f, l, f));
            c.add(KernelCalls.clamp(x, l, 0, 1, x));
        }
        for (HostStorage x : new HostStorage[]{f, d}) { // float and double compute types (the partials are x's dtype)
            c.addAll(KernelCalls.reduce(ReduceOp.SUM, x, l, new int[]{2}, x, 1, null, null));   // rows
            c.addAll(KernelCalls.reduce(ReduceOp.SUM, x, Layout.contiguous(2, 40_000), new int[]{1}, x, 1, null, null)); // blocks
            c.addAll(KernelCalls.reduce(ReduceOp.ARGMAX, x, Layout.contiguous(2, 400_000), new int[]{1}, i, 8, x, i)); // chunked
            c.add(KernelCalls.softmax(x, new int[]{2, 3, 4}, 1, false, x));               // rows
            c.add(KernelCalls.softmax(x, new int[]{2, 40, 4}, 1, true, x));               // blocks
            c.add(KernelCalls.maxPool2d(x, new int[]{1, 1, 4, 4}, new int[]{2, 2}, new int[]{2, 2}, new int[]{0, 0},
                    new int[]{1, 1}, x, i));
            c.add(KernelCalls.maxPool2dBackward(x, i, new int[]{1, 1, 4, 4}, new int[]{1, 1, 2, 2}, x));
        }
        c.add(KernelCalls.indexSelect(f, l, 1, i, 2, f, i));
        c.add(KernelCalls.gather(f, l, 1, i, l, f, i));
        c.add(KernelCalls.scatterAdd(i, l, f, l, f, l, 1, i));
        c.add(KernelCalls.random(org.wpunet.core.Rng.Distribution.NORMAL, f, 1, 2));
        for (HostStorage x : new HostStorage[]{f, d}) {
            c.add(KernelCalls.weightedCrossEntropy(x, new int[]{2, 3, 4}, i, x, x, x, i));
            c.add(KernelCalls.classWeightedCrossEntropy(x, new int[]{2, 3, 4}, x, 1e-7, x, x));
            c.add(KernelCalls.optimizerUpdate(new OptimizerUpdate.Sgd(0.1, 0, 0.9, 0, false, true), x, x, new Storage[]{x}));
            c.add(KernelCalls.optimizerUpdate(new OptimizerUpdate.RmsProp(0.1, 0, 0.99, 1e-8, 0.9, true), x, x,
                    new Storage[]{x, x, x}));
            c.add(KernelCalls.optimizerUpdate(new OptimizerUpdate.Adam(0.1, 0, 0.9, 0.999, 1e-8, true, true, 3), x, x,
                    new Storage[]{x, x, x}));
        }
        return c;
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
        Map<String, List<String>> cuAll = new LinkedHashMap<>();
        for (String module : CudaBackend.MODULES) {
            Map<String, List<String>> cu = cuSignatures(Files.readString(CudaPtxTest.SRC.resolve(module + ".cu")));
            Map<String, List<String>> ptx = ptxParams(CudaPtxTest.resource(module));
            assertEquals(cu.keySet(), ptx.keySet(), module);
            for (var e : cu.entrySet()) {
                assertEquals(e.getValue().stream().map(KernelAbiTest::ptxOf).toList(), ptx.get(e.getKey()), e.getKey() + ": .cu vs PTX");
            }
            cuAll.putAll(cu);
        }
        java.util.Set<String> launched = new java.util.TreeSet<>();
        for (KernelCall call : sampleCalls()) {
            List<String> kernel = cuAll.get(call.kernel());
            assertNotNull(kernel, call.kernel() + " is launched but no .cu defines it");
            assertEquals(kernel, List.of(call.signature().split(" ")), call.kernel() + ": KernelCalls' arguments vs the kernel");
            launched.add(call.kernel());
        }
        assertEquals(new java.util.TreeSet<>(cuAll.keySet()), launched, "every kernel is launched by some KernelCalls method");
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
