package org.wpunet.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TilingTest {
    @Test
    void original1024LayoutIsTheOriginalsTailor() {
        Tiling t = Tiling.of(1024, 1024, 256, 32);
        List<Tiling.Tile> tiles = t.tiles();
        assertEquals(16, tiles.size());
        for (Tiling.Tile tile : tiles) {
            for (int a = 0; a < 2; a++) {
                int i = a == 0 ? tile.row() : tile.col();
                Tiling.Span s = a == 0 ? tile.y() : tile.x();
                // tools.tailor(256, 256, region=32): y0 = 0 if i == 0 else 256i - 32; 288 first/last, 320 inside
                assertEquals(i == 0 ? 0 : 256 * i - 32, s.start(), "origin of " + tile);
                assertEquals(i == 0 || i == 3 ? 288 : 320, s.size(), "size of " + tile);
                assertEquals(s.start() + s.size(), s.realEnd(), "no padding in " + tile);
                // tools.stitch: rows [r0, r0 + 256) of the tile, r0 = 0 if i == 0 else 32, pasted at 256i
                assertEquals(256 * i, s.core0());
                assertEquals(256 * i + 256, s.core1());
                assertEquals(i == 0 ? 0 : 32, s.core0() - s.start());
            }
        }
    }

    @Test
    void anySizeIsCoveredOnceByCoresAndInputsAreMultiplesOf16() {
        int[][] cases = {{300, 128, 16}, {200, 128, 16}, {257, 256, 32}, {513, 256, 32}, {40, 256, 32}, {16, 16, 0}, {1000, 100, 10}, {17, 16, 5}};
        for (int[] c : cases) {
            int len = c[0], tile = c[1], margin = c[2];
            Tiling.Span[] spans = Tiling.spans(len, tile, margin);
            int next = 0;
            for (Tiling.Span s : spans) {
                String m = len + "/" + tile + "/" + margin + ": " + s;
                assertEquals(next, s.core0(), m);
                assertTrue(s.core1() > s.core0() && s.core1() - s.core0() <= tile, m);
                assertEquals(0, s.size() % 16, m);
                assertTrue(s.start() >= 0 && s.realEnd() <= len && s.realEnd() == Math.min(len, s.start() + s.size()), m);
                // the wanted margin is inside the input wherever the image has it
                assertTrue(s.start() <= Math.max(0, s.core0() - margin) && s.realEnd() >= Math.min(len, s.core1() + margin), m);
                assertTrue(s.size() < s.core1() - s.core0() + 2 * margin + 16, m);
                next = s.core1();
            }
            assertEquals(len, next);
        }
    }

    @Test
    void reflectIsNumpysReflect() {
        // np.pad(np.arange(5), 7, mode="reflect") = [1 2 3 4 3 2 1 | 0 1 2 3 4 | 3 2 1 0 1 2 3]
        int[] left = {1, 2, 3, 4, 3, 2, 1}, right = {3, 2, 1, 0, 1, 2, 3};
        for (int k = 0; k < 7; k++) {
            assertEquals(left[k], Tiling.reflect(k - 7, 5));
            assertEquals(right[k], Tiling.reflect(5 + k, 5));
        }
        for (int k = 0; k < 5; k++) assertEquals(k, Tiling.reflect(k, 5));
        assertEquals(0, Tiling.reflect(9, 1));
    }

    @Test
    void blendWeightsAreOneInTheCoreAndFallToTheEdge() {
        Tiling.Span s = Tiling.spans(1024, 256, 32)[1];   // [224, 544), core [256, 512)
        assertEquals(1, s.weight(256));
        assertEquals(1, s.weight(511));
        assertTrue(s.weight(255) > 0.99 && s.weight(224) < 0.003 && s.weight(224) > 0);
        assertTrue(s.weight(512) > 0.99 && s.weight(543) < 0.003);
        for (int c = 224; c < 255; c++) assertTrue(s.weight(c) < s.weight(c + 1));
    }

    @Test
    void tooSmallImagesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tiling.of(15, 40, 256, 32));
        assertTrue(e.getMessage().contains("15x40 is too small"), e.getMessage());
    }
}
