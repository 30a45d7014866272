package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.BackendProvider;
import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;

/** Everything that must hold on a machine without a GPU: loading, probing, FFM lookup errors, pure arithmetic. */
class CudaWithoutGpuTest {
    @Test
    void providerLoadsAndProbeNeverThrows() {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(found::add);
        BackendProvider p = found.stream().filter(x -> x.type().equals("cuda")).findFirst().orElseThrow();
        assertInstanceOf(CudaBackendProvider.class, p);
        String why = assertDoesNotThrow(p::probe);
        if (why != null) {
            assertFalse(why.isBlank());
            assertFalse(why.contains("\n"), "one line: " + why);
            assertEquals(0, p.deviceCount());
            assertThrows(IllegalStateException.class, () -> p.backend(0));
        }
        var st = Backends.status().stream().filter(s -> s.type().equals("cuda")).findFirst().orElseThrow();
        assertEquals(why == null, st.available(), st.toString());
    }

    @Test
    void missingLibraryNamesSonamesAndDirectories(@TempDir Path dir) {
        var e = assertThrows(IllegalStateException.class,
                () -> NativeLibrary.load("cuDNN", List.of("libcudnn.so.9"), List.of(dir, dir.resolve("nope"))));
        assertTrue(e.getMessage().contains("libcudnn.so.9"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("CUDA_HOME"), e.getMessage());
    }

    @Test
    void brokenLibraryFileIsReportedNotThrownAsLinkageError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("libcublas.so.13"), "not an ELF file");
        var e = assertThrows(IllegalStateException.class,
                () -> NativeLibrary.load("cuBLAS", Cublas.SONAMES, List.of(dir)));
        assertTrue(e.getMessage().contains("failed to open"), e.getMessage());
        assertTrue(e.getMessage().contains("libcublas.so.12"), e.getMessage());
    }

    @Test
    void realLibraryLookupFindsSymbolsAndReportsMissingOnes() {
        // libc is on every machine: exercises the found path and the missing-symbol error
        List<Path> dirs = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"));
        NativeLibrary libc = NativeLibrary.load("libc", List.of("libc.so.6"), dirs);
        assertTrue(libc.has("malloc"));
        var e = assertThrows(IllegalStateException.class, () -> libc.fn("cudnnCreate",
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT)));
        assertTrue(e.getMessage().contains("cudnnCreate") && e.getMessage().contains("libc.so.6"), e.getMessage());
    }

    @Test
    void searchPathOrder() {
        List<Path> p = NativeLibrary.searchPath(Map.of("CUDA_HOME", "/opt/cuda", "LD_LIBRARY_PATH", "/a:/b"), "/j");
        assertEquals(List.of(Path.of("/j"), Path.of("/a"), Path.of("/b"), Path.of("/opt/cuda/lib64"), Path.of("/opt/cuda/lib"),
                Path.of("/usr/local/cuda/lib64"), Path.of("/usr/lib/x86_64-linux-gnu")), p);
    }

    @Test
    void launchGrid() {
        assertEquals(0, Launch.blocks(0, 256, 100));
        assertEquals(1, Launch.blocks(1, 256, 100));
        assertEquals(1, Launch.blocks(256, 256, 100));
        assertEquals(2, Launch.blocks(257, 256, 100));
        assertEquals(100, Launch.blocks(1L << 30, 256, 100));
    }

    @Test
    void layoutStructPacking() {
        Layout l = Layout.contiguous(2, 3, 4, 5).transpose(1, 3).narrow(0, 1, 1);
        int[] s = Launch.lay(l, "t");
        assertEquals(Launch.LAY_INTS, s.length);
        // the size-1 dim is dropped; the others cannot merge (1 != 5*4, 5 != 20*3)
        assertEquals(3, s[0]);
        assertEquals(60, s[1]);
        assertArrayEquals(new int[]{5, 4, 3}, java.util.Arrays.copyOfRange(s, 2, 5));
        assertArrayEquals(new int[]{1, 5, 20}, java.util.Arrays.copyOfRange(s, 10, 13));
        int[] nine = new int[9], reversed = new int[9];
        java.util.Arrays.fill(nine, 2);
        for (int d = 0; d < 9; d++) reversed[d] = 8 - d;
        var e = assertThrows(IllegalArgumentException.class, () -> Launch.lay(Layout.contiguous(nine).permute(reversed), "unary"));
        assertTrue(e.getMessage().contains("unary") && e.getMessage().contains("rank 9"), e.getMessage());
        // the indexing kernels read shape[dim] / stride[dim] by dim number: their layouts keep every dim
        int[] exact = Launch.layExact(l, "gather");
        assertEquals(4, exact[Launch.LAY_RANK]);
        assertArrayEquals(new int[]{1, 5, 4, 3}, java.util.Arrays.copyOfRange(exact, 2, 6));
        assertArrayEquals(new int[]{60, 1, 5, 20}, java.util.Arrays.copyOfRange(exact, 10, 14));
        // coalescing (elementwise kernels only): a compact tensor is one run; broadcast (stride 0) dims merge; offsets of every index kept
        assertArrayEquals(new int[][]{{120}, {1}}, Launch.coalesce(new int[]{2, 3, 4, 5}, new int[]{60, 20, 5, 1}));
        assertArrayEquals(new int[][]{{6, 20}, {0, 1}}, Launch.coalesce(new int[]{2, 3, 4, 5}, new int[]{0, 0, 5, 1}));
        assertArrayEquals(new int[][]{{}, {}}, Launch.coalesce(new int[]{1, 1}, new int[]{1, 1}));
        Layout t = Layout.contiguous(3, 4, 5).permute(1, 0, 2);
        int[][] c = Launch.coalesce(t.shape(), t.strides());
        for (int i = 0; i < t.numel(); i++) assertEquals(offset(t.shape(), t.strides(), i), offset(c[0], c[1], i), "index " + i);
        assertEquals(1, Launch.reduceChunks(1, 1000, 1 << 16, 4224), "short sums need one pass");
        assertEquals(1, Launch.reduceChunks(5000, 1 << 20, 1 << 16, 4224), "many outputs fill the device alone");
        assertEquals(16, Launch.reduceChunks(1, 1 << 20, 1 << 16, 4224), "one long sum: chunks of ~64K");
        assertEquals(4224 / 300, Launch.reduceChunks(300, 1 << 24, 1 << 16, 4224), "capped at ~maxBlocks blocks");
        Layout[] kr = Launch.splitReduce(new Layout(new int[]{2, 3, 4}, new int[]{12, 4, 1}, 7), new int[]{0, 2});
        assertArrayEquals(new int[]{3}, kr[0].shape());
        assertArrayEquals(new int[]{4}, kr[0].strides());
        assertEquals(7, kr[0].offset());
        assertArrayEquals(new int[]{2, 4}, kr[1].shape());
        assertArrayEquals(new int[]{12, 1}, kr[1].strides());
    }

    private static int offset(int[] shape, int[] strides, int i) {
        int o = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            o += (i % shape[d]) * strides[d];
            i /= shape[d];
        }
        return o;
    }

    @Test
    void dtypeCodesMatchTheKernels() {
        // common.cuh: F32=0, F64=1, I32=2, U8=3, BF16=4, F16=5
        assertEquals(List.of(DType.F32, DType.F64, DType.I32, DType.U8, DType.BF16, DType.F16), List.of(DType.values()));
    }

    @Test
    void elementwiseComputeTypeIsFloatOnlyWhenEveryOperandIsExactInFloat() {
        assertEquals("f32", KernelCalls.computeType(new HostStorage(DType.F32, 1), new HostStorage(DType.BF16, 1),
                new HostStorage(DType.U8, 1), new HostStorage(DType.F16, 1)));
        assertEquals("f64", KernelCalls.computeType(new HostStorage(DType.F32, 1), new HostStorage(DType.F64, 1)));
        assertEquals("f64", KernelCalls.computeType(new HostStorage(DType.I32, 1), new HostStorage(DType.F32, 1)),
                "ints above 2^24 are not exact in float");
    }
}
