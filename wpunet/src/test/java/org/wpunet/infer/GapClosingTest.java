package org.wpunet.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.wpunet.image.Boundaries;

class GapClosingTest {
    static final int W = 40, H = 40;

    /** A cross: x = 20 and y = 20, four grains. */
    static byte[] cross() {
        byte[] m = new byte[W * H];
        for (int k = 0; k < 40; k++) {
            m[20 + W * k] = (byte) 255;
            m[k + W * 20] = (byte) 255;
        }
        return m;
    }

    static void set(byte[] m, int x, int y, int v) { m[x + W * y] = (byte) v; }

    @Test
    void closesAShortGapAlongTheProbabilityAndRemovesASpur() {
        byte[] truth = cross();
        byte[] broken = truth.clone();
        set(broken, 20, 30, 0);                                  // a 2-pixel gap in the lower vertical line
        set(broken, 20, 31, 0);
        for (int y = 21; y <= 24; y++) set(broken, 10, y, 255);  // a 4-pixel spur below the horizontal line
        float[] p = new float[W * H];
        for (int i = 0; i < p.length; i++) p[i] = truth[i] != 0 ? 0.9f : 0.05f;
        p[20 + W * 30] = 0.4f;                                   // the network saw the gap, below 0.5
        p[20 + W * 31] = 0.4f;
        assertEquals(3, Boundaries.toGrains(broken, W, H).maxLabel());

        byte[] fixed = GapClosing.apply(broken, p, W, H);
        assertArrayEquals(truth, fixed);
        assertEquals(4, Boundaries.toGrains(fixed, W, H).maxLabel());
    }

    @Test
    void theJoinFollowsTheProbabilityRidge() {
        // a 3-pixel gap in the vertical line; the probability marks a detour through x = 21
        byte[] broken = cross();
        for (int y = 29; y <= 31; y++) set(broken, 20, y, 0);
        float[] p = new float[W * H];
        for (int y = 29; y <= 31; y++) p[21 + W * y] = 1f;
        byte[] fixed = GapClosing.apply(broken, p, W, H, GapClosing.MAX_GAP, 0);
        byte[] expect = broken.clone();
        for (int y = 29; y <= 31; y++) set(expect, 21, y, 255);
        assertArrayEquals(expect, fixed);
    }

    @Test
    void longGapsLongBranchesAndSeparatingLinesStay() {
        byte[] m = cross();
        for (int y = 26; y <= 33; y++) set(m, 20, y, 0);          // an 8-pixel gap: farther than maxGap
        for (int y = 21; y <= 32; y++) set(m, 30, y, 255);        // a 12-pixel branch: longer than maxSpur
        byte[] out = GapClosing.apply(m, null, W, H);
        for (int y = 26; y <= 33; y++)
            for (int x = 14; x <= 26; x++) assertEquals(0, out[x + W * y], "gap stays open at " + x + "," + y);
        for (int y = 21; y <= 32; y++) assertEquals((byte) 255, out[30 + W * y], "long branch kept at y " + y);
        assertEquals(3, Boundaries.toGrains(out, W, H).maxLabel());
        // the stub left above the gap (y 21..25, 5 px from the junction) is a spur now: removed
        for (int y = 21; y <= 25; y++) assertEquals(0, out[20 + W * y]);
        // a short line that separates two grains is never removed as a spur: x = 5 from the border to y = 20
        byte[] corner = cross();
        for (int y = 0; y < 20; y++) set(corner, 5, y, 255);
        assertArrayEquals(corner, GapClosing.apply(corner, null, W, H));
    }
}
