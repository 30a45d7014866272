package org.wpunet.data.synth;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: the synthetic micrographs used to clip about a third of their pixels at 255, which
 * flattened the per-grain etch shading. Grain interiors now stay below saturation, the shading
 * survives (brighter-etched grains stay brighter), and the slice statistics still match the real
 * data's normalised mean/std 0.934/0.137.
 */
class ExposureTest {
    @Test
    void theShoulderIsContinuousIncreasingAndBelowTheCeiling() {
        double prev = -1;
        for (double v = 0.5; v < 3; v += 0.001) {
            double y = Exposure.shoulder(v);
            assertTrue(y > prev, "increasing at " + v);
            assertTrue(y < Exposure.CEILING, "below the ceiling at " + v);
            prev = y;
        }
        assertEquals(Exposure.KNEE, Exposure.shoulder(Exposure.KNEE), 0);
        assertEquals(Exposure.KNEE + 1e-6, Exposure.shoulder(Exposure.KNEE + 1e-6), 1e-10, "slope 1 at the knee");
    }

    @Test
    void grainInteriorsKeepTheirShadingAndTheStatisticsTheirTarget() {
        long seed = 5;
        var c = StackSynthesizer.Config.of(256, 256, 6, 40, seed).withFlaws(Flaws.NONE);   // no illumination gradient over the shading
        var r = StackSynthesizer.run(c, null);
        int w = 256, h = 256;
        long saturated = 0, interior = 0, n = 0;
        double sum = 0, sq = 0;
        Map<Integer, double[]> grains = new HashMap<>();   // label -> {sum, count}
        for (int k = 0; k < 6; k++) {
            byte[] img = r.stack().images()[k], b = r.stack().boundaries()[k];
            int[] lab = r.stack().labels()[k];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int i = y * w + x, v = img[i] & 255;
                    sum += v / 255.0; sq += (v / 255.0) * (v / 255.0); n++;
                    if (nearBoundary(b, x, y, w, h, 3)) continue;
                    interior++;
                    if (v == 255) saturated++;
                    grains.computeIfAbsent(lab[i], l -> new double[2])[0] += v;
                    grains.get(lab[i])[1]++;
                }
        }
        double mean = sum / n, std = Math.sqrt(sq / n - mean * mean);
        assertEquals(MicrographRenderer.TARGET_MEAN, mean, 0.02, "mean");
        assertEquals(MicrographRenderer.TARGET_STD, std, 0.03, "std");
        assertTrue(saturated < 0.005 * interior, "saturated interior pixels: " + saturated + " of " + interior);
        // the shading: a grain's mean brightness follows its etch shade g (the renderer's per-grain N(0,1))
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        int m = 0;
        for (var e : grains.entrySet()) {
            if (e.getValue()[1] < 30) continue;
            double g = Rand.gaussian(Rand.hash(seed, 0x6A41, e.getKey())), v = e.getValue()[0] / e.getValue()[1];
            sx += g; sy += v; sxx += g * g; syy += v * v; sxy += g * v; m++;
        }
        double corr = (sxy / m - sx / m * sy / m) / Math.sqrt((sxx / m - sx * sx / m / m) * (syy / m - sy * sy / m / m));
        assertTrue(m > 50, "grains measured: " + m);
        assertTrue(corr > 0.6, "grain brightness follows the etch shade: correlation " + corr);
    }

    private static boolean nearBoundary(byte[] b, int x, int y, int w, int h, int r) {
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++) {
                int xx = x + dx, yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < w && yy < h && b[yy * w + xx] != 0) return true;
            }
        return false;
    }
}
