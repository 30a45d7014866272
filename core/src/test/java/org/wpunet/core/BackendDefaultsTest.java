package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wpunet.core.cpu.CpuBackend;

/**
 * The {@link Backend} interface's default inference methods, which a backend without its own version
 * (CUDA) runs: a proxy of the CPU backend that takes the interface's defaults for them and the CPU's
 * methods for everything else, against the CPU's own versions.
 */
class BackendDefaultsTest {
    private static final Set<String> DEFAULTS = Set.of("maxPool2dValues", "batchNormReluInferenceReusingInput", "convTranspose2dInto",
            "conv2dBatchNormReluInference");
    private final SplittableRandom rnd = new SplittableRandom(17);

    private static Backend withDefaults() {
        InvocationHandler h = (proxy, m, args) -> {
            if (DEFAULTS.contains(m.getName())) return InvocationHandler.invokeDefault(proxy, m, args);
            try {
                return m.invoke(CpuBackend.INSTANCE, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
    }

    private Storage random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 4 - 2);
        return CpuBackend.INSTANCE.fromHost(a, DType.F32);
    }

    private static float[] host(Storage s) { return (float[]) CpuBackend.INSTANCE.toHost(s, Layout.contiguous(s.numel())); }

    @Test
    void maxPoolValuesDefaultDropsTheIndices() {
        Backend b = withDefaults();
        int[] xs = {2, 3, 6, 9}, k = {2, 2}, none = {0, 0}, one = {1, 1};
        Storage x = random(2 * 3 * 6 * 9);
        float[] want = host(CpuBackend.INSTANCE.maxPool2dValues(x, xs, k, k, none, one));
        assertArrayEquals(want, host(b.maxPool2dValues(x, xs, k, k, none, one)), "2x2 values through the default");
        assertArrayEquals(want, host(CpuBackend.INSTANCE.maxPool2d(x, xs, k, k, none, one)[0]), "2x2 values of the indexed kernel");
    }

    @Test
    void batchNormReluReusingInputDefaultLeavesTheInputAndTheCpuOverwritesIt() {
        Backend b = withDefaults();
        int[] xs = {2, 3, 5, 7};
        int n = 2 * 3 * 5 * 7;
        float[] x = host(random(n));
        Storage gamma = random(3), beta = random(3), mean = random(3);
        Storage var = CpuBackend.INSTANCE.fromHost(new float[]{0.5f, 1f, 2f}, DType.F32);
        Storage fresh = CpuBackend.INSTANCE.fromHost(x, DType.F32);
        float[] want = host(CpuBackend.INSTANCE.batchNormRelu(fresh, xs, gamma, beta, mean, var, false, 0.1, 1e-5)[0]);
        Storage viaDefault = CpuBackend.INSTANCE.fromHost(x, DType.F32), viaCpu = CpuBackend.INSTANCE.fromHost(x, DType.F32);
        Storage yDefault = b.batchNormReluInferenceReusingInput(viaDefault, xs, gamma, beta, mean, var, 1e-5);
        Storage yCpu = CpuBackend.INSTANCE.batchNormReluInferenceReusingInput(viaCpu, xs, gamma, beta, mean, var, 1e-5);
        assertNotSame(viaDefault, yDefault, "default: a new output");
        assertArrayEquals(want, host(yDefault), "default: batchNormRelu's values");
        assertArrayEquals(x, host(viaDefault), "default: the input as it was");
        assertSame(viaCpu, yCpu, "cpu: the input's storage");
        assertArrayEquals(want, host(viaCpu), "cpu: the fused kernel's values over the input");
    }

    @Test
    void conv2dBatchNormReluInferenceDefaultComposesAndTheCpuFusesToTheSameValues() {
        Backend b = withDefaults();
        for (int[] xs : new int[][]{{2, 3, 5, 70}, {1, 2, 6, 7}}) { // direct kernel (epilogue in its stores); narrow: GEMM
            int[] ws = {5, xs[1], 3, 3}, ys = {xs[0], 5, xs[2], xs[3]};
            ConvParams p = ConvParams.of(1, 1);
            Storage x = random(xs[0] * xs[1] * xs[2] * xs[3]), w = random(5 * xs[1] * 9), bias = random(5);
            Storage gamma = random(5), beta = random(5), mean = random(5);
            Storage var = CpuBackend.INSTANCE.fromHost(new float[]{0.5f, 1f, 2f, 0.1f, 3f}, DType.F32);
            Storage conv = CpuBackend.INSTANCE.conv2d(x, xs, w, ws, bias, p);
            float[] want = host(CpuBackend.INSTANCE.batchNormRelu(conv, ys, gamma, beta, mean, var, false, 0.1, 1e-5)[0]);
            assertArrayEquals(want, host(b.conv2dBatchNormReluInference(x, xs, w, ws, bias, p, gamma, beta, mean, var, 1e-5)),
                    "default: conv2d then batch norm and ReLU " + java.util.Arrays.toString(xs));
            assertArrayEquals(want, host(CpuBackend.INSTANCE.conv2dBatchNormReluInference(x, xs, w, ws, bias, p, gamma, beta, mean,
                    var, 1e-5)), "cpu: fused " + java.util.Arrays.toString(xs));
        }
    }

    @Test
    void convTranspose2dIntoDefaultCopiesIntoTheChannels() {
        Backend b = withDefaults();
        int[] xs = {2, 3, 4, 5}, ws = {3, 4, 2, 2}, os = {2, 9, 8, 10};
        ConvParams p = ConvParams.of(2, 0);
        Storage x = random(2 * 3 * 4 * 5), w = random(3 * 4 * 2 * 2), bias = random(4);
        float[] y = host(CpuBackend.INSTANCE.convTranspose2d(x, xs, w, ws, bias, p));
        float[] start = host(random(2 * 9 * 8 * 10));
        Storage viaDefault = CpuBackend.INSTANCE.fromHost(start, DType.F32), viaCpu = CpuBackend.INSTANCE.fromHost(start, DType.F32);
        b.convTranspose2dInto(x, xs, w, ws, bias, p, viaDefault, os, 2);
        CpuBackend.INSTANCE.convTranspose2dInto(x, xs, w, ws, bias, p, viaCpu, os, 2);
        float[] want = start.clone();
        int plane = 8 * 10;
        for (int n = 0; n < 2; n++) System.arraycopy(y, n * 4 * plane, want, (n * 9 + 2) * plane, 4 * plane);
        assertArrayEquals(want, host(viaDefault), "default: channels 2..5 of each image replaced, the rest kept");
        assertArrayEquals(want, host(viaCpu), "cpu: the GEMM path writing there directly");
    }
}
