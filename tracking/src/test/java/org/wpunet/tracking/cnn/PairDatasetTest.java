package org.wpunet.tracking.cnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wpunet.data.LabelVolume;

class PairDatasetTest {
    /**
     * 4x4, 3 slices. Slice 0: grain 1 left half, grain 2 right half. Slice 1: grain 1 shrinks to column
     * 0, grain 2 takes columns 1..3. Slice 2: grain 3 appears on rows 0-1 of the right half.
     */
    static LabelVolume volume() {
        int[] s0 = {1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2};
        int[] s1 = {1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2};
        int[] s2 = {1, 2, 3, 3, 1, 2, 3, 3, 1, 2, 2, 2, 1, 2, 2, 2};
        return LabelVolume.ofSlices(4, 4, new int[][]{s0, s1, s2});
    }

    @Test
    void everyOverlappingPairOfAdjacentSlices() {
        PairDataset d = PairDataset.of(List.of(volume()), 0, 1);
        // 0->1: current 1 overlaps {1}; current 2 overlaps {1, 2}. 1->2: current 1 {1}, skipped (one column
        // wide, as the original skips w < 2); current 2 {2}; current 3 {2}.
        assertEquals(5, d.size());
        assertEquals(3, d.sameCount());
        assertEquals(2, d.differentCount());
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) labels[i] = d.label(i);
        assertArrayEquals(new int[]{0, 1, 0, 0, 1}, labels);
    }

    @Test
    void fractionsSplitSlicePairsWithoutOverlap() {
        PairDataset a = PairDataset.of(List.of(volume()), 0, 0.5), b = PairDataset.of(List.of(volume()), 0.5, 1);
        assertEquals(3, a.size());   // slice pair 0->1
        assertEquals(2, b.size());   // slice pair 1->2
        assertEquals(1, b.differentCount());
    }

    @Test
    void cropShowsBothGrains() {
        PairDataset d = PairDataset.of(List.of(volume()), 0, 0.5);
        // pair 1: previous grain 1 (left half), current grain 2 (columns 1..3): first component spans the whole slice
        float[] out = new float[2 * 4 * 4];
        d.crop(1, 4, out, 0);
        float[] want = {1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1};
        assertArrayEquals(want, out);
    }

    @Test
    void augmentationIsADihedralMapWithOptionalChannelSwap() {
        float[] src = new float[2 * 3 * 3];
        for (int i = 0; i < src.length; i++) src[i] = i;
        float[] dst = new float[src.length];
        PairTransforms.apply(src, 0, dst, 0, 3, false, false, false, 1);
        // one counter-clockwise quarter turn (np.rot90): top row of the result is the source's last column
        assertArrayEquals(new float[]{2, 5, 8, 1, 4, 7, 0, 3, 6}, java.util.Arrays.copyOf(dst, 9));
        PairTransforms.apply(src, 0, dst, 0, 3, true, true, false, 0);
        assertArrayEquals(new float[]{11, 10, 9, 14, 13, 12, 17, 16, 15}, java.util.Arrays.copyOf(dst, 9));
        SplittableRandom r = new SplittableRandom(3);
        for (int k = 0; k < 20; k++) {
            PairTransforms.augment(src, 0, dst, 0, 3, r);
            float[] sorted = dst.clone();
            java.util.Arrays.sort(sorted);
            float[] all = src.clone();
            assertArrayEquals(all, sorted, "a permutation of the values");
            assertEquals(4f, dst[4] % 9, "the centre stays the centre of its channel");
        }
    }
}
