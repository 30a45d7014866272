package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Backends;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Layout;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Scope;
import org.wpunet.core.Storage;
import org.wpunet.core.Tensor;
import org.wpunet.core.conformance.Conformance;
import org.wpunet.core.conformance.RequiresCuda;

/**
 * What is specific to the CUDA backend: transfers through the pinned staging buffer, the global
 * gradient norm, index errors raised from device kernels, the caching allocator (statistics,
 * emptyCache, memory flat across repeated ops) and the TF32 switch. Op results against the CPU
 * are the conformance suites' job (org.wpunet.cuda.conformance, from wpunet-core's test-jar).
 * Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable.
 */
@RequiresCuda
class CudaBackendGpuTest {
    static final Device CUDA = Device.cuda(0);
    static CudaBackend gpu;
    final SplittableRandom rnd = new SplittableRandom(42);

    @BeforeAll
    static void setUp() {
        if (Backends.isAvailable(CUDA)) gpu = (CudaBackend) Backends.get(CUDA); // else RequiresCuda skips or fails every test
    }

    float[] rand(int n) { return Conformance.nonZero(rnd, n); }

    static float[] f(Storage s, int n) { return (float[]) gpu.toHost(s, Layout.contiguous(n)); }

    @Test
    void transfersCrossThePinnedStagingChunks() {
        float[] big = rand((CudaTransfers.PINNED_BYTES / 4) * 2 + 17);
        Storage s = gpu.fromHost(big, DType.F32);
        try {
            assertArrayEquals(big, f(s, big.length));
            // a strided read of a big storage: compacted on the device, then staged in chunks
            Layout every2nd = Layout.contiguous(big.length).slice(0, 1, big.length, 2);
            float[] odd = (float[]) gpu.toHost(s, every2nd);
            for (int i = 0; i < odd.length; i += 9973) assertEquals(big[2 * i + 1], odd[i], "element " + i);
        } finally {
            ((CudaStorage) s).free();
        }
        double[] d = new double[(CudaTransfers.PINNED_BYTES / 8) + 3];
        for (int i = 0; i < d.length; i++) d[i] = i * 0.5 - 7;
        Storage sd = gpu.fromHost(d, DType.F64);
        try {
            assertArrayEquals(d, (double[]) gpu.toHost(sd, Layout.contiguous(d.length)));
        } finally {
            ((CudaStorage) sd).free();
        }
    }

    @Test
    void sumOfSquaresMatchesADoubleSumInOneAndTwoPasses() {
        // 6000 elements: one block; 1,000,003: the two-pass path (chunks of 64K, F64 partials)
        for (int n : new int[]{4 * 5 * 300, 1_000_003}) {
            float[] a = rand(n);
            double want = 0;
            for (float v : a) want += (double) v * v;
            Storage sa = gpu.fromHost(a, DType.F32);
            Storage ss = gpu.reduce(ReduceOp.SUM_SQUARES, sa, Layout.contiguous(n), new int[]{0}, DType.F64);
            try {
                assertEquals(want, ((double[]) gpu.toHost(ss, Layout.contiguous(1)))[0], 1e-12 * want, "n = " + n);
            } finally {
                ((CudaStorage) sa).free();
                ((CudaStorage) ss).free();
            }
        }
    }

    @Test
    void indexErrorsFromDeviceKernelsNameTheIndex() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(rand(24), 4, 6).to(CUDA);
            Tensor bad = Tensor.of(new int[]{7}, 1).to(CUDA);
            var e = assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(1, bad).toFloatArray()); // reported at the read
            assertTrue(e.getMessage().contains("index 7") && e.getMessage().contains("size 6"), e.getMessage());
            Tensor neg = Tensor.of(new int[]{0, -1, 2, 3}, 4, 1).to(CUDA);
            e = assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, neg).toFloatArray());
            assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("index -1"), e.getMessage());
            Tensor src = Tensor.of(rand(4), 4, 1).to(CUDA);
            Tensor big = Tensor.of(new int[]{0, 1, 9, 2}, 4, 1).to(CUDA);
            e = assertThrows(IndexOutOfBoundsException.class,
                    () -> Tensor.scatterAdd(new int[]{4, 6}, 1, big, src).toFloatArray());
            assertTrue(e.getMessage().contains("scatter_add") && e.getMessage().contains("index 9"), e.getMessage());
            // the device is still usable after the errors
            assertArrayEquals(x.toFloatArray(), x.copy().toFloatArray());
        }
    }

    @Test
    void memoryStaysFlatAcrossAllocFreeCycles() {
        gpu.synchronize();
        for (int i = 0; i < 200; i++) ((CudaStorage) gpu.zeros(DType.F32, 1 + i * 997)).free(); // warm the size classes
        long reserved = gpu.allocatorStats().reserved(), inUse = gpu.allocatorStats().inUse();
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 200; i++) {
                CudaStorage s = (CudaStorage) gpu.zeros(DType.F32, 1 + i * 997);
                s.free();
            }
        }
        assertEquals(inUse, gpu.allocatorStats().inUse());
        assertTrue(gpu.allocatorStats().reserved() <= reserved + (4L << 20), gpu.allocatorStats().toString());
        gpu.emptyCache();
        assertEquals(gpu.allocatorStats().inUse(), gpu.allocatorStats().reserved());
    }

    /** One training-like step of tensor ops on the device; every tensor is closed by the scope. */
    private void step(Tensor x, Tensor w, Tensor b, Tensor gamma, Tensor beta, Tensor rm, Tensor rv) {
        try (Scope scope = Scope.open()) {
            ConvParams p = ConvParams.of(1, 1);
            Tensor y = NeuralOps.conv2d(x, w, b, p);
            NeuralOps.BatchNormResult bn = NeuralOps.batchNorm(y, gamma, beta, rm, rv, true, 0.1, 1e-5);
            Tensor a = bn.output().relu();
            NeuralOps.PoolResult pool = NeuralOps.maxPool2d(a, 2);
            Tensor dy = pool.values().softmax(1);
            Tensor da = NeuralOps.maxPool2dBackward(dy, pool.indices(), a.shape());
            Tensor[] g = NeuralOps.batchNormBackward(y, da, gamma, bn.saveMean(), bn.saveInvStd(), 1e-5);
            NeuralOps.conv2dBackwardInput(g[0], w, x.shape(), p);
            NeuralOps.conv2dBackwardWeight(x, g[0], w.shape(), p, true);
            Tensor m = a.flatten(2, 3);
            m.matmul(m.mT()).sum().item(); // item() synchronises
        }
    }

    @Test
    void memoryStaysFlatAcrossRepeatedOps() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(rand(2 * 8 * 16 * 16), 2, 8, 16, 16).to(CUDA), w = Tensor.of(rand(16 * 8 * 9), 16, 8, 3, 3).to(CUDA);
            Tensor b = Tensor.of(rand(16), 16).to(CUDA), gamma = Tensor.of(rand(16), 16).to(CUDA);
            Tensor beta = Tensor.of(rand(16), 16).to(CUDA), rm = Tensor.zeros(CUDA, DType.F32, 16);
            Tensor rv = Tensor.ones(CUDA, DType.F32, 16);
            for (int i = 0; i < 3; i++) step(x, w, b, gamma, beta, rm, rv); // algorithm search, size classes
            gpu.synchronize();
            long inUse = gpu.allocatorStats().inUse(), reserved = gpu.allocatorStats().reserved();
            for (int i = 0; i < 30; i++) step(x, w, b, gamma, beta, rm, rv);
            gpu.synchronize();
            assertEquals(inUse, gpu.allocatorStats().inUse(), "every step's tensors are freed: " + gpu.allocatorStats());
            assertTrue(gpu.allocatorStats().reserved() <= reserved + (4L << 20), "the cache does not grow: " + gpu.allocatorStats());
        }
    }

    @Test
    void tf32SwitchIsReportedAndTakesEffectPerCall() {
        boolean before = CudaBackend.tf32();
        try (Scope scope = Scope.open()) {
            int k = 512;
            Tensor a = Tensor.of(rand(96 * k), 96, k), c = Tensor.of(rand(k * 80), k, 80);
            Tensor ad = a.to(CUDA), cd = c.to(CUDA);
            Tensor want = a.to(DType.F64).matmul(c.to(DType.F64));
            CudaBackend.setTf32(true);
            assertTrue(gpu.describe().contains("TF32 on"), gpu.describe());
            Conformance.assertClose(ad.matmul(cd), want, Conformance.TF32, "matmul with TF32 on");
            CudaBackend.setTf32(false);
            assertTrue(gpu.describe().contains("exact FP32"), gpu.describe());
            Conformance.assertClose(ad.matmul(cd), want, Conformance.accumulation(k), "matmul with TF32 off again");
            // cuDNN's algorithm cache is keyed by the switch: an exact convolution after a TF32 one
            Tensor x = Tensor.of(rand(2 * 32 * 12 * 12), 2, 32, 12, 12), w = Tensor.of(rand(32 * 32 * 9), 32, 32, 3, 3);
            Tensor yWant = NeuralOps.conv2d(x.to(DType.F64), w.to(DType.F64), null, ConvParams.of(1, 1));
            CudaBackend.setTf32(true);
            Conformance.assertClose(NeuralOps.conv2d(x.to(CUDA), w.to(CUDA), null, ConvParams.of(1, 1)), yWant, Conformance.TF32,
                    "conv2d with TF32 on");
            CudaBackend.setTf32(false);
            Conformance.assertClose(NeuralOps.conv2d(x.to(CUDA), w.to(CUDA), null, ConvParams.of(1, 1)), yWant,
                    Math.max(5e-5, Conformance.accumulation(32 * 9)), "conv2d with TF32 off again");
        } finally {
            CudaBackend.setTf32(before);
        }
    }
}
