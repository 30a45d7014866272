package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.assertMessageNames;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.bothPaths;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MaxPool2x2} (values only, SIMD and scalar) against the indexed {@link Pool2dKernels#maxForward}
 * with a 2x2 stride-2 window, bit for bit: widths below, at and above the vector width and between
 * multiples (the SIMD rows' tails), odd heights and widths (the last row or column dropped), and
 * inputs full of ties, signed zeros, infinities and NaNs, where the order of the comparisons decides
 * which bits come out.
 */
class MaxPool2x2Test {
    /** n, c, h, w */
    private static final int[][] SHAPES = {{1, 1, 2, 2}, {2, 3, 5, 7}, {1, 2, 4, 32}, {1, 1, 3, 33}, {2, 2, 6, 64},
            {1, 3, 8, 70}, {1, 1, 2, 97}, {3, 1, 9, 130}};
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.NaN, Float.intBitsToFloat(0x7fc00123),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2.5f};

    @Test
    void valuesEqualTheIndexedKernelBitForBit() {
        Random r = new Random(31);
        for (int[] s : SHAPES) {
            for (boolean special : new boolean[]{false, true}) {
                int n = s[0], c = s[1], h = s[2], w = s[3];
                float[] x = new float[n * c * h * w];
                for (int i = 0; i < x.length; i++) x[i] = special ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextGaussian();
                int oh = h / 2, ow = w / 2, len = n * c * oh * ow;
                float[] want = new float[len];
                Pool2dKernels.maxForward(x, n, c, h, w, 2, 2, 2, 2, 0, 0, 1, 1, want, new int[len]);
                String shape = java.util.Arrays.toString(s) + (special ? " special values" : " gaussian");
                bothPaths(path -> {
                    float[] y = new float[len];
                    MaxPool2x2.forward(x, n, c, h, w, y);
                    for (int i = 0; i < len; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(y[i]),
                                path + " " + shape + " output " + i + ": want " + want[i] + ", got " + y[i]);
                    }
                });
            }
        }
    }

    @Test
    void badSizesAreNamed() {
        var small = assertThrows(IllegalArgumentException.class, () -> MaxPool2x2.forward(new float[3], 1, 1, 1, 3, new float[1]));
        assertMessageNames(small, "1x1x1x3", "2x2");
        var shortY = assertThrows(IllegalArgumentException.class, () -> MaxPool2x2.forward(new float[16], 1, 1, 4, 4, new float[3]));
        assertMessageNames(shortY, "y has 3 elements", "1x1x2x2");
    }
}
