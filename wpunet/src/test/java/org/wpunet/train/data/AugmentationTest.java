package org.wpunet.train.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    /** Applies the transform to a crop x crop image of ints (the crop at 0,0 of a crop-wide image). */
    private static int[] apply(Augmentation a, int[] img, int crop) {
        int[] src = a.sourceIndices(crop, crop), out = new int[src.length];
        for (int i = 0; i < src.length; i++) out[i] = img[src[i]];
        return out;
    }

    @Test
    void quarterTurnIsCounterClockwiseAsPilRotate() {
        // PIL: Image.fromarray([[1,2,3],[4,5,6],[7,8,9]]).rotate(90, expand=True) == np.rot90 == [[3,6,9],[2,5,8],[1,4,7]]
        int[] img = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertArrayEquals(new int[] {3, 6, 9, 2, 5, 8, 1, 4, 7}, apply(new Augmentation(0, 0, 1, false, false), img, 3));
        assertArrayEquals(new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1}, apply(new Augmentation(0, 0, 2, false, false), img, 3));
        assertArrayEquals(new int[] {7, 4, 1, 8, 5, 2, 9, 6, 3}, apply(new Augmentation(0, 0, 3, false, false), img, 3));
        // vertical flip = top-bottom, horizontal = left-right; both after the turn
        assertArrayEquals(new int[] {7, 8, 9, 4, 5, 6, 1, 2, 3}, apply(new Augmentation(0, 0, 0, true, false), img, 3));
        assertArrayEquals(new int[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, apply(new Augmentation(0, 0, 0, false, true), img, 3));
        // turn, then vertical flip: rows of [[3,6,9],[2,5,8],[1,4,7]] reversed
        assertArrayEquals(new int[] {1, 4, 7, 2, 5, 8, 3, 6, 9}, apply(new Augmentation(0, 0, 1, true, false), img, 3));
        // the crop offset: a 2x2 crop at (1, 1) of the 3x3 image
        assertArrayEquals(new int[] {6, 9, 5, 8}, map(new Augmentation(1, 1, 1, false, false).sourceIndices(2, 3), img));
    }

    private static int[] map(int[] src, int[] img) {
        int[] out = new int[src.length];
        for (int i = 0; i < src.length; i++) out[i] = img[src[i]];
        return out;
    }

    @Test
    void sixteenFlagCombinationsAreTheEightDihedralTransformsAndTheCodeNamesThem() {
        int c = 5;
        int[] img = new int[c * c];
        for (int i = 0; i < img.length; i++) img[i] = i;
        Map<Integer, List<Integer>> byCode = new HashMap<>();
        Set<List<Integer>> distinct = new HashSet<>();
        for (int k = 0; k < 4; k++)
            for (int f = 0; f < 4; f++) {
                var a = new Augmentation(0, 0, k, (f & 1) != 0, (f & 2) != 0);
                List<Integer> out = java.util.Arrays.stream(apply(a, img, c)).boxed().toList();
                distinct.add(out);
                List<Integer> prev = byCode.putIfAbsent(a.dihedralCode(), out);
                if (prev != null) assertEquals(prev, out, "same code, different transform: " + a);
            }
        assertEquals(8, distinct.size());
        assertEquals(8, byCode.size());
    }

    @Test
    void drawsCoverTheInclusiveCropRangeAndAllTransforms() {
        int w = 40, h = 35, crop = 32;
        Set<Integer> xs = new HashSet<>(), ys = new HashSet<>(), codes = new HashSet<>();
        int vflips = 0, draws = 4000;
        for (int i = 0; i < draws; i++) {
            var a = Augmentation.draw(SampleRandom.of(7, 1, i, SampleRandom.SAMPLE), w, h, crop);
            xs.add(a.x());
            ys.add(a.y());
            codes.add(a.dihedralCode());
            if (a.verticalFlip()) vflips++;
        }
        assertEquals(w - crop + 1, xs.size());
        assertEquals(h - crop + 1, ys.size());
        assertTrue(xs.contains(0) && xs.contains(w - crop) && ys.contains(h - crop));
        assertEquals(8, codes.size());
        assertEquals(0.5, (double) vflips / draws, 0.03);
    }
}
