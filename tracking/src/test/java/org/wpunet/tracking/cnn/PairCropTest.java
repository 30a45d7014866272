package org.wpunet.tracking.cnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wpunet.nn.io.Json;

class PairCropTest {
    /** Every overlapping pair of two small Voronoi slices with disconnected grains, against pair_crop_golden.py (numpy/scipy). */
    @Test
    void matchesTheNumpyScipyPort() throws Exception {
        Map<?, ?> g;
        try (InputStream in = PairCropTest.class.getResourceAsStream("pair_crop_golden.json")) {
            g = (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        int h = num(g.get("height")), w = num(g.get("width")), size = num(g.get("size"));
        int[] prev = ints((List<?>) g.get("previous")), cur = ints((List<?>) g.get("current"));
        List<?> pairs = (List<?>) g.get("pairs");
        int maxCur = 0;
        for (int v : cur) maxCur = Math.max(maxCur, v);
        int[][] overlaps = PairCrop.overlaps(prev, cur, maxCur);
        int k = 0, skipped = 0;
        for (int c = 1; c <= maxCur; c++) {
            for (int p : overlaps[c]) {
                Map<?, ?> e = (Map<?, ?>) pairs.get(k++);
                assertEquals(num(e.get("current")), c);
                assertEquals(num(e.get("previous")), p);
                float[] out = new float[2 * size * size];
                boolean made = PairCrop.crop(prev, p, cur, c, w, h, size, out, 0);
                if (e.get("box") == null) {
                    assertNull(PairCrop.box(prev, p, cur, c, w, h), "pair " + p + "->" + c + " is skipped");
                    assertEquals(false, made);
                    skipped++;
                    continue;
                }
                PairCrop.Box b = PairCrop.box(prev, p, cur, c, w, h);
                assertArrayEquals(ints((List<?>) e.get("box")), new int[]{b.row0(), b.row1(), b.col0(), b.col1()}, "box of " + p + "->" + c);
                String bits = (String) e.get("crop");
                float[] want = new float[bits.length()];
                for (int i = 0; i < want.length; i++) want[i] = bits.charAt(i) - '0';
                assertArrayEquals(want, out, "crop of " + p + "->" + c);
            }
        }
        assertEquals(pairs.size(), k, "the same overlapping pairs as np.unique");
        assertEquals(2, skipped, "the fixture has two pairs whose first component lies in one channel");
    }

    @Test
    void nearestIsPilsRule() {
        assertArrayEquals(new int[]{0, 1, 3, 4}, PairCrop.nearest(5, 4));   // floor((d+.5)*1.25)
        assertArrayEquals(new int[]{0, 0, 1, 1, 1}, PairCrop.nearest(2, 5)); // floor((d+.5)*.4)
    }

    private static int num(Object o) { return ((Number) o).intValue(); }

    private static int[] ints(List<?> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = num(l.get(i));
        return a;
    }
}
