package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.randomFloats;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.toDouble;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wpunet.core.cpu.Simd;

/**
 * Winograd F(4x4, 3x3) ({@link Winograd3x3}, forced on with {@link Conv2dKernels.Winograd#ALWAYS})
 * against the float64 direct convolution, forward with bias and input gradient, on shapes with
 * tile tails (h, w not multiples of 4, a partial last panel of tiles), channel tails (c, oc not
 * multiples of 8 or 16), several images, and few tiles (output channels split across tasks).
 *
 * <p>Measured on these shapes (weights uniform, scaled by 1/sqrt(9 * fan-in); inputs uniform in
 * [-1, 1]): the largest error over the output, relative to the output's largest magnitude, was
 * 5.3e-6 forward and 8.8e-6 for the input gradient (2 x 64 x 20 x 20 -> 96), against at most
 * 6.5e-7 for the float paths without Winograd on the same data (the transforms' constants up to 8 and
 * 1/24 cost about four bits). The bound asserted is 2e-5.
 */
class WinogradConvTest {
    /** Max |y - ref| / max |ref| allowed (measured at most 8.8e-6, see the class comment). */
    private static final double BOUND = 2e-5;

    /** n, c, h, w, oc; "panels": the tile-panel order, "stationary": the weights-stationary order. */
    private static final int[][] SHAPES = {
        {1, 1, 4, 4, 1},       // one tile, one channel (panels)
        {2, 3, 7, 9, 5},       // tile tails both ways, batch 2, c and oc below one register row (panels)
        {1, 17, 13, 30, 19},   // c, oc tails past 16; 4x8 tiles, one panel split over 3 output-channel parts
        {3, 8, 21, 22, 8},     // 3 images of 6x6 tiles: panels span images
        {1, 40, 16, 16, 72},   // 16 tiles, half a panel (stationary)
        {2, 128, 9, 11, 24},   // deep c, a ragged panel (panels)
        {1, 1024, 8, 8, 16},   // c of the full-width decoder's widest convolution (panels)
        {2, 64, 20, 20, 96},   // two panels, six 16-channel weight blocks (stationary)
        {1, 33, 10, 10, 45},   // tile tails, the last weight block 13 channels (stationary)
    };

    private Conv2dKernels.Winograd mode;
    private boolean simd;

    @BeforeEach
    void forceWinograd() {
        assumeTrue(Simd.modulePresent(), "the Winograd kernel is SIMD only");
        simd = Simd.setEnabled(true);
        mode = Conv2dKernels.setWinograd(Conv2dKernels.Winograd.ALWAYS);
    }

    @AfterEach
    void restore() {
        if (mode != null) Conv2dKernels.setWinograd(mode);
        if (Simd.modulePresent()) Simd.setEnabled(simd);
    }

    static float[] scaled(Random r, int size, double scale) {
        float[] a = randomFloats(r, size);
        for (int i = 0; i < size; i++) a[i] *= (float) scale;
        return a;
    }

    /** max |actual - expected| / max |expected|. */
    static double relError(double[] expected, float[] actual) {
        double scale = 0, err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
        }
        return err / scale;
    }

    @Test
    void forwardMatchesFloat64Reference() {
        Random r = new Random(14);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], h = s[2], w = s[3], oc = s[4];
            float[] x = randomFloats(r, n * c * h * w), wt = scaled(r, oc * c * 9, 1 / Math.sqrt(9.0 * c));
            float[] bias = randomFloats(r, oc), y = new float[n * oc * h * w];
            double[] ref = new double[y.length];
            Conv2dKernels.forward(toDouble(x), n, c, h, w, toDouble(wt), oc, 3, 3, toDouble(bias), 1, 1, 1, 1, 1, 1, ref);
            Conv2dKernels.forward(x, n, c, h, w, wt, oc, 3, 3, bias, 1, 1, 1, 1, 1, 1, y);
            double e = relError(ref, y);
            assertTrue(e <= BOUND, () -> "forward " + java.util.Arrays.toString(s) + ": relative error " + e);
        }
    }

    @Test
    void inputGradientMatchesFloat64Reference() {
        Random r = new Random(15);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], h = s[2], w = s[3], oc = s[4];
            float[] dy = randomFloats(r, n * oc * h * w), wt = scaled(r, oc * c * 9, 1 / Math.sqrt(9.0 * oc));
            float[] dx = new float[n * c * h * w];
            double[] ref = new double[dx.length];
            Conv2dKernels.backwardInput(toDouble(dy), toDouble(wt), n, c, h, w, oc, 3, 3, 1, 1, 1, 1, 1, 1, ref);
            Conv2dKernels.backwardInput(dy, wt, n, c, h, w, oc, 3, 3, 1, 1, 1, 1, 1, 1, dx);
            double e = relError(ref, dx);
            assertTrue(e <= BOUND, () -> "input gradient " + java.util.Arrays.toString(s) + ": relative error " + e);
        }
    }

    @Test
    void modeMustNotBeNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv2dKernels.setWinograd(null));
        assertTrue(e.getMessage().contains("mode"), e.getMessage());
    }
}
