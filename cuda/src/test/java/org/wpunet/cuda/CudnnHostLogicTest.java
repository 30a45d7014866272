package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host-side logic around the native calls that runs without cuDNN: perf-array parsing, scalars, library preloading. */
class CudnnHostLogicTest {
    /** Writes one cudnnConvolution*AlgoPerf_t entry the way cuDNN does. */
    static void entry(MemorySegment perf, int i, int algo, int status, float time, long memory, int math) {
        long b = (long) i * CudnnLibrary.PERF_SIZE;
        perf.set(JAVA_INT, b, algo);
        perf.set(JAVA_INT, b + 4, status);
        perf.set(JAVA_FLOAT, b + 8, time);
        perf.set(JAVA_LONG, b + 16, memory);
        perf.set(JAVA_INT, b + 24, 1); // CUDNN_DETERMINISTIC
        perf.set(JAVA_INT, b + 28, math);
    }

    @Test
    void pickSkipsFailuresAndTensorMathWhenExact() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment perf = a.allocate(CudnnLibrary.PERF, 4);
            entry(perf, 0, 6, 3000, 0.1f, 0, CudnnLibrary.MATH_FMA);               // CUDNN_STATUS_NOT_SUPPORTED
            entry(perf, 1, 1, 0, 0.2f, 1L << 33, CudnnLibrary.MATH_TENSOR_OP);     // fastest success, but tensor ops
            entry(perf, 2, 0, 0, 0.3f, 4096, CudnnLibrary.MATH_DEFAULT);           // DEFAULT: TF32 allowed for FLOAT on sm_80+
            entry(perf, 3, 2, 0, 0.4f, 1234, CudnnLibrary.MATH_FMA);
            assertEquals(new CudnnLibrary.Algo(1, 1L << 33, CudnnLibrary.MATH_TENSOR_OP), CudnnLibrary.pick(perf, 4, true, "t"));
            assertEquals(new CudnnLibrary.Algo(2, 1234, CudnnLibrary.MATH_FMA), CudnnLibrary.pick(perf, 4, false, "t"));
            assertEquals(new CudnnLibrary.Algo(2, 1234, CudnnLibrary.MATH_FMA), CudnnLibrary.pick(perf, 4, false, CudnnLibrary.DATA_FLOAT, "t"));
            assertEquals(new CudnnLibrary.Algo(1, 1L << 33, CudnnLibrary.MATH_TENSOR_OP), CudnnLibrary.pick(perf, 4, false, CudnnLibrary.DATA_DOUBLE, "t"));
            assertEquals(new CudnnLibrary.Algo(1, 1L << 33, CudnnLibrary.MATH_TENSOR_OP), CudnnLibrary.pick(perf, 4, false, CudnnLibrary.DATA_BFLOAT16, "t"));
            var e = assertThrows(CudaException.class, () -> CudnnLibrary.pick(perf, 1, false, "conv FWD"));
            assertTrue(e.getMessage().contains("conv FWD") && e.getMessage().contains("1 results"), e.getMessage());
        }
    }

    @Test
    void scalarsAreFloatUnlessDouble() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = CudnnLibrary.scalar(a, CudnnLibrary.DATA_FLOAT, 1);
            assertEquals(4, f.byteSize());
            assertEquals(1f, f.get(JAVA_FLOAT, 0));
            MemorySegment d = CudnnLibrary.scalar(a, CudnnLibrary.DATA_DOUBLE, 0.5);
            assertEquals(8, d.byteSize());
            assertEquals(0.5, d.get(JAVA_DOUBLE, 0));
            assertEquals(4, CudnnLibrary.scalar(a, CudnnLibrary.DATA_HALF, 1).byteSize(), "half data takes float scaling factors");
        }
        assertEquals(CudnnLibrary.MATH_FMA, CudnnLibrary.mathType(CudnnLibrary.DATA_FLOAT, false));
        assertEquals(CudnnLibrary.MATH_DEFAULT, CudnnLibrary.mathType(CudnnLibrary.DATA_FLOAT, true));
        assertEquals(CudnnLibrary.MATH_TENSOR_OP, CudnnLibrary.mathType(CudnnLibrary.DATA_BFLOAT16, false));
        assertEquals(CudnnLibrary.MATH_FMA, CudnnLibrary.mathType(CudnnLibrary.DATA_DOUBLE, true));
    }

    @Test
    void companionsAreOpenedFromTheMainLibrarysDirectory(@TempDir Path tmp) throws Exception {
        Path libs = Path.of("/lib/x86_64-linux-gnu");
        // libm stands in for a companion; a missing one is skipped, a broken one is skipped too
        Files.writeString(tmp.resolve("libbroken.so.1"), "not an ELF file");
        assertEquals(List.of(), NativeLibrary.preload(tmp, List.of("libbroken.so.1", "libmissing.so.1")));
        NativeLibrary libc = NativeLibrary.load("libc", List.of("libc.so.6"), List.of(libs),
                so -> List.of("libmissing.so.9", "libm.so.6"));
        assertEquals(List.of(libs.resolve("libm.so.6")), libc.companions());
        assertTrue(libc.has("malloc"));
        assertEquals(List.of(), NativeLibrary.load("libc", List.of("libc.so.6"), List.of(libs)).companions());
    }
}
