package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.bothPaths;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.randomFloats;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.wpunet.core.cpu.Simd;

/**
 * The fused inference convolution + batch norm + ReLU against the unfused path (the convolution,
 * then the in-place inference batch norm with ReLU): the same values bit for bit, on the direct
 * kernel's tiles and tails (batch norm and ReLU per stored row) and on the shapes other kernels take
 * (the convolution, then the in-place pass).
 */
class ConvBatchNormReluInferenceTest {
    /** {n, c, h, w, oc}, 3x3 stride 1 padding 1. */
    private static final int[][] SHAPES = {
        {2, 3, 19, 64, 6},   // direct: strips of 8, 8, 3 rows; oc % 4 = 2 (clamped surplus channels)
        {2, 3, 5, 70, 5},    // direct: 4-vector tiles and a masked tail vector, oc % 4 = 1
        {1, 16, 6, 256, 16}, // direct: the small network's thin layer shape
        {1, 3, 7, 7, 2},     // too narrow for the direct kernel: convolution then the in-place pass
        {1, 32, 12, 12, 32}, // 32 channels on a small image: the implicit GEMM, then the in-place pass
        {2, 32, 18, 22, 33}, // Winograd (panel order), then the in-place pass
        {1, 96, 16, 16, 80}, // Winograd (weights-stationary order), then the in-place pass
    };

    @Test
    void fusedEqualsConvolutionThenInferenceBatchNormRelu() {
        bothPaths(path -> {
            Random r = new Random(7);
            for (int[] s : SHAPES) {
                for (boolean affine : new boolean[]{true, false}) {
                    for (boolean withBias : new boolean[]{true, false}) check(path, r, s, affine, withBias);
                }
            }
        });
    }

    @Test
    void theShapesTakeTheKernelsTheyAreMeantFor() {
        if (!Simd.modulePresent()) return;
        boolean old = Simd.enabled();
        try {
            Simd.setEnabled(true);
            assertTrue(Conv2dKernels.takesDirect(2, 3, 19, 64, 6, 3, 3, 1, 1, 1, 1, 1, 1));
            assertTrue(Conv2dKernels.takesDirect(1, 16, 6, 256, 16, 3, 3, 1, 1, 1, 1, 1, 1));
            assertTrue(Conv2dKernels.takesWinograd(2, 32, 18, 22, 33, 3, 3, 1, 1, 1, 1, 1, 1));
            assertTrue(Conv2dKernels.takesWinograd(1, 96, 16, 16, 80, 3, 3, 1, 1, 1, 1, 1, 1));
        } finally {
            Simd.setEnabled(old);
        }
    }

    private static void check(String path, Random r, int[] s, boolean affine, boolean withBias) {
        int n = s[0], c = s[1], h = s[2], w = s[3], oc = s[4];
        float[] x = randomFloats(r, n * c * h * w), wt = randomFloats(r, oc * c * 9);
        float[] bias = withBias ? randomFloats(r, oc) : null;
        float[] gamma = affine ? randomFloats(r, oc) : null, beta = affine ? randomFloats(r, oc) : null;
        float[] mean = randomFloats(r, oc), var = new float[oc];
        for (int i = 0; i < oc; i++) var[i] = 0.05f + 2f * r.nextFloat();
        float eps = 1e-5f;
        float[] expected = new float[n * oc * h * w];
        Conv2dKernels.forward(x, n, c, h, w, wt, oc, 3, 3, bias, 1, 1, 1, 1, 1, 1, expected);
        BatchNormKernels.forwardInference(expected, n, oc, h * w, gamma, beta, eps, mean, var, expected, true);
        float[] y = new float[expected.length];
        ConvBatchNormReluInference.forward(x, n, c, h, w, wt, oc, 3, 3, bias, 1, 1, 1, 1, 1, 1, gamma, beta, mean, var, eps, y);
        int zeros = 0;
        for (float v : y) if (v == 0f) zeros++;
        assertTrue(zeros > 0 && zeros < y.length, "ReLU should clip some outputs and keep others");
        assertArrayEquals(expected, y, path + " " + java.util.Arrays.toString(s) + " affine " + affine + " bias " + withBias);
    }

    @Test
    void badStatisticsAreNamed() {
        float[] x = new float[64 * 4], wt = new float[2 * 9], y = new float[2 * 64 * 4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvBatchNormReluInference.forward(
                x, 1, 1, 4, 64, wt, 2, 3, 3, null, 1, 1, 1, 1, 1, 1, null, null, new float[1], new float[2], 1e-5f, y));
        assertTrue(e.getMessage().contains("batch-norm parameter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvBatchNormReluInference.forward(
                x, 1, 1, 4, 64, wt, 2, 3, 3, null, 1, 1, 1, 1, 1, 1, null, null, null, new float[2], 1e-5f, y));
        assertEquals(true, e.getMessage().contains("running statistics"), e.getMessage());
    }
}
