package org.wpunet.train.weights;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.image.ConnectedComponents;

/**
 * {@link BoundaryWeightMap} against the original's {@code caculate_weight_map}, run by
 * golden/weights/make_weight_golden.py (numpy 1.24, scipy 1.10, scikit-image 0.19).
 *
 * <p>Tolerance: at most 1 float32 ulp per value. Both sides compute in double with the same
 * operation order and an exact distance transform (square roots of integer sums), so the only
 * possible difference is exp: Java's Math.exp and numpy's exp may differ by 1 double ulp, which
 * changes the float32 rounding only when the double lies within one double ulp of a float32
 * rounding boundary (about 2^-29 of the cases). Any real error (a wrong sigma, distance or grain)
 * moves values by many float32 ulps. Values that are exact by construction (1 and 30 on boundary
 * pixels) must be equal.
 */
class BoundaryWeightMapGoldenTest {
    record Case(String name, int height, int width, int grains, byte[] mask, float[] bck, float[] obj) {}

    static List<Case> cases() throws IOException {
        var in = BoundaryWeightMapGoldenTest.class.getResourceAsStream("/golden/weights/weight_golden.txt");
        assertNotNull(in, "golden/weights/weight_golden.txt missing from test resources");
        List<Case> out = new ArrayList<>();
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t", -1);
                String[] hw = f[1].split(",");
                int h = Integer.parseInt(hw[0]), w = Integer.parseInt(hw[1]);
                String[] m = f[3].split(" "), b = f[4].split(" "), o = f[5].split(" ");
                assertEquals(h * w, m.length, f[0]);
                byte[] mask = new byte[h * w];
                float[] bck = new float[h * w], obj = new float[h * w];
                for (int i = 0; i < h * w; i++) {
                    mask[i] = (byte) Integer.parseInt(m[i]);
                    bck[i] = Float.parseFloat(b[i]);
                    obj[i] = Float.parseFloat(o[i]);
                }
                out.add(new Case(f[0], h, w, Integer.parseInt(f[2]), mask, bck, obj));
            }
        }
        return out;
    }

    /** Distance in float32 units in the last place (both values finite and of one sign here). */
    static int ulps(float a, float b) {
        return Math.abs(Float.floatToIntBits(a) - Float.floatToIntBits(b));
    }

    @Test
    void matchesTheOriginalOnEveryGoldenCase() throws IOException {
        List<Case> cases = cases();
        assertEquals(13, cases.size());
        long values = 0, offByOne = 0;
        for (Case c : cases) {
            int n = c.width() * c.height();
            float[] map = BoundaryWeightMap.compute(c.mask(), c.width(), c.height());
            assertEquals(2 * n, map.length);
            assertEquals(c.grains(), ConnectedComponents.label(c.mask(), c.width(), c.height(), 4, 255).maxLabel(), c.name() + " grains");
            for (int i = 0; i < n; i++) {
                String where = c.name() + " pixel (x " + i % c.width() + ", y " + i / c.width() + ")";
                float eb = c.bck()[i], eo = c.obj()[i], ab = map[i], ao = map[n + i];
                if ((c.mask()[i] & 0xFF) == 255) {
                    assertEquals(1f, ab, where + " background channel");
                    assertEquals(30f, ao, where + " boundary channel");
                }
                assertTrue(ulps(eb, ab) <= 1, where + " background channel: expected " + eb + ", got " + ab);
                assertTrue(ulps(eo, ao) <= 1, where + " boundary channel: expected " + eo + ", got " + ao);
                offByOne += (ulps(eb, ab) == 1 ? 1 : 0) + (ulps(eo, ao) == 1 ? 1 : 0);
                values += 2;
            }
        }
        // the 1-ulp allowance is for rare exp rounding differences, not a systematic error
        assertTrue(offByOne * 1000 <= values, offByOne + " of " + values + " values differ by 1 ulp");
    }

    @Test
    void noBoundaryMeasuresToScipysPhantomPointAboveTheFirstPixel() throws IOException {
        Case c = cases().stream().filter(k -> k.name().equals("no_boundary")).findFirst().orElseThrow();
        // d(x, y) = sqrt((y + 1)^2 + x^2); the farthest pixel (bottom right) gets bck 11, the
        // top-left pixel (d = 1) the largest boundary weight
        int w = c.width(), h = c.height(), n = w * h;
        float[] map = BoundaryWeightMap.compute(c.mask(), w, h);
        assertEquals(11f, map[n - 1]);
        double m = Math.sqrt(h * h + (w - 1.0) * (w - 1.0)), sigma = m / 2.58 + 1e-20;
        assertEquals((float) (10 * Math.exp(-1 / (2 * sigma * sigma))), map[n], 1e-6f);
        assertEquals(c.obj()[0], map[n]);
    }

    @Test
    void rejectsAWrongSize() {
        var e = assertThrows(IllegalArgumentException.class, () -> BoundaryWeightMap.compute(new byte[5], 2, 3));
        assertTrue(e.getMessage().contains("2x3"), e.getMessage());
    }
}
