package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Java and CUDA agree on every op and dtype code: kernel_codes.cuh is what {@link KernelCodes} makes
 * of the enums now (reordering or adding a constant fails here until it is regenerated), the kernels
 * name their cases (no bare numbers), and every switch over a family handles each of its constants.
 */
class KernelCodesTest {
    @Test
    void committedHeaderIsGeneratedFromTheEnums() throws Exception {
        String committed = Files.readString(CudaPtxTest.SRC.resolve("kernel_codes.cuh"));
        assertEquals(KernelCodes.header(), committed, "kernel_codes.cuh is stale: regenerate it with KernelCodes.main "
                + "(java -cp core/target/classes:cuda/target/classes org.wpunet.cuda.KernelCodes cuda/src/main/cuda/kernel_codes.cuh) "
                + "and rebuild the PTX");
    }

    /** Every {@code case X:} label of a .cu / .cuh source. */
    static List<String> caseLabels(String src) {
        List<String> out = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\\bcase\\s+([^:]+):").matcher(src);
        while (m.find()) out.add(m.group(1).trim());
        return out;
    }

    @Test
    void kernelsSwitchOnNamedCodesOnly() throws Exception {
        for (String f : sources()) {
            for (String label : caseLabels(Files.readString(CudaPtxTest.SRC.resolve(f)))) {
                assertTrue(label.matches("WP_[A-Z0-9_]+"), f + ": case " + label + " is not a named code from kernel_codes.cuh");
            }
        }
    }

    @Test
    void unaryAndBinarySwitchesCoverEveryOp() throws Exception {
        String ew = Files.readString(CudaPtxTest.SRC.resolve("elementwise.cu"));
        for (var f : KernelCodes.FAMILIES) {
            if (!f.prefix().equals("WP_UNARY_") && !f.prefix().equals("WP_BINARY_")) continue;
            Set<String> want = new TreeSet<>(), got = new TreeSet<>();
            for (Enum<?> e : f.constants()) want.add(f.prefix() + e.name());
            for (String l : caseLabels(ew)) if (l.startsWith(f.prefix())) got.add(l);
            assertEquals(want, got, "elementwise.cu's cases of " + f.type().getSimpleName());
        }
        Set<String> dtypes = new LinkedHashSet<>();
        for (String l : caseLabels(Files.readString(CudaPtxTest.SRC.resolve("common.cuh")))) dtypes.add(l);
        for (Enum<?> e : KernelCodes.FAMILIES.get(0).constants()) {
            if (!e.name().equals("F16")) assertTrue(dtypes.contains("WP_" + e.name()), "ld/st handle " + e.name()); // F16 = default
        }
    }

    static List<String> sources() throws Exception {
        try (var s = Files.list(CudaPtxTest.SRC)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu") || n.endsWith(".cuh")).sorted().toList();
        }
    }
}
