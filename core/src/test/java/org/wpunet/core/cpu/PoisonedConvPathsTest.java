package org.wpunet.core.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.core.cpu.kernels.Conv2dKernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * conv2d allocates its output uninitialized: with every such allocation filled with NaN
 * ({@link CpuBufferPool#setPoison}), each forward path (chosen by shape and switch) must still match
 * the float64 convolution, so none leaves an output unwritten. The shapes pick: Winograd (both task
 * orders: many tiles, and few tiles with many weights), the direct 3x3 kernel (rows of at least 4
 * vectors, with a tail), the packed implicit GEMM (3x3 stride 2), the 1x1 GEMM, and the scalar
 * im2col GEMM.
 */
class PoisonedConvPathsTest {
    private boolean poison, simd;
    private Conv2dKernels.Winograd winograd;

    @BeforeEach
    void poison() {
        poison = CpuBufferPool.setPoison(true);
        simd = Simd.enabled();
        winograd = Conv2dKernels.setWinograd(Conv2dKernels.Winograd.AUTO);
    }

    @AfterEach
    void restore() {
        CpuBufferPool.setPoison(poison);
        Simd.setEnabled(simd);
        Conv2dKernels.setWinograd(winograd);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "winograd many tiles,       ALWAYS, true,  2, 32, 20, 19, 32, 3, 1, 1, true",
            "winograd weights first,    ALWAYS, true,  1, 64, 4, 4, 96, 3, 1, 1, false",
            "direct 3x3 with a tail,    OFF,    true,  2, 3, 5, 70, 8, 3, 1, 1, true",
            "packed 3x3 stride 2,       OFF,    true,  2, 5, 9, 11, 7, 3, 2, 1, true",
            "1x1 GEMM,                  OFF,    true,  2, 6, 7, 9, 5, 1, 1, 0, false",
            "scalar im2col 3x3,         OFF,    false, 2, 5, 9, 11, 7, 3, 1, 1, true",
            "scalar 1x1,                OFF,    false, 1, 6, 7, 9, 5, 1, 1, 0, true"})
    void everyForwardPathWritesEveryOutput(String name, Conv2dKernels.Winograd mode, boolean vectors, int n, int c, int h,
                                           int w, int oc, int k, int stride, int pad, boolean bias) {
        Conv2dKernels.setWinograd(mode);
        Simd.setEnabled(vectors);
        ConvParams p = ConvParams.of(stride, pad);
        Rng rng = new Rng(11);
        try (Scope s = Scope.open()) {
            Tensor x = rng.normalWith(Device.CPU, DType.F32, 0, 1, n, c, h, w);
            Tensor wt = rng.normalWith(Device.CPU, DType.F32, 0, 0.3, oc, c, k, k);
            Tensor b = bias ? rng.normalWith(Device.CPU, DType.F32, 0, 1, oc) : null;
            double[] y = NeuralOps.conv2d(x, wt, b, p).toDoubleArray();
            double[] r = NeuralOps.conv2d(x.to(DType.F64), wt.to(DType.F64), b == null ? null : b.to(DType.F64), p)
                    .toDoubleArray();
            double scale = 0, err = 0;
            for (int i = 0; i < r.length; i++) {
                scale = Math.max(scale, Math.abs(r[i]));
                err = Math.max(err, Math.abs(y[i] - r[i]));
                assertTrue(!Double.isNaN(y[i]), name + ": output " + i + " of " + r.length + " left unwritten (NaN)");
            }
            assertTrue(err <= 1e-4 * scale, name + ": max error " + err + " of max |y| " + scale);
        }
    }
}
