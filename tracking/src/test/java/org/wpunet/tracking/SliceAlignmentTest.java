package org.wpunet.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;

class SliceAlignmentTest {
    private static final SerialStack STACK = StackSynthesizer.generate(
            StackSynthesizer.Config.of(100, 76, 6, 16, 3).withFlaws(Flaws.NONE));

    @Test
    void recoversKnownShiftsExactly() {
        int w = STACK.width(), h = STACK.height();
        SliceAlignment.Shift[] known = {new SliceAlignment.Shift(0, 0), new SliceAlignment.Shift(3, -2), new SliceAlignment.Shift(-5, 4),
                new SliceAlignment.Shift(7, 0), new SliceAlignment.Shift(0, -9), new SliceAlignment.Shift(-1, 1)};
        byte[][] moved = new byte[STACK.slices()][];
        for (int k = 0; k < moved.length; k++)   // moved(p) = original(p - d)
            moved[k] = SliceAlignment.shift(STACK.boundaries()[k], w, h, new SliceAlignment.Shift(-known[k].dx(), -known[k].dy()));
        SliceAlignment.Result r = SliceAlignment.alignStack(moved, w, h);
        assertArrayEquals(known, r.shifts());
        // away from the band moved in from outside, every aligned map equals the original
        for (int k = 0; k < moved.length; k++)
            for (int y = 10; y < h - 10; y++)
                for (int x = 10; x < w - 10; x++)
                    assertEquals(STACK.boundaries()[k][x + w * y], r.aligned()[k][x + w * y], "slice " + k + " at " + x + "," + y);
    }

    @Test
    void unshiftedSlicesStayPut() {
        SliceAlignment.Result r = SliceAlignment.alignStack(STACK.boundaries(), STACK.width(), STACK.height());
        for (SliceAlignment.Shift s : r.shifts()) assertEquals(new SliceAlignment.Shift(0, 0), s);
    }

    @Test
    void fftRoundTrip() {
        double[] re = new double[8 * 4], im = new double[re.length];
        for (int i = 0; i < re.length; i++) re[i] = Math.sin(i * 1.7) + i % 3;
        double[] want = re.clone();
        Fft2.transform(re, im, 8, 4, false);
        assertEquals(java.util.Arrays.stream(want).sum(), re[0], 1e-9);   // DC term = sum
        Fft2.transform(re, im, 8, 4, true);
        for (int i = 0; i < re.length; i++) { assertEquals(want[i], re[i], 1e-9); assertEquals(0, im[i], 1e-9); }
    }
}
