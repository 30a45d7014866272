package org.wpunet.train.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.wpunet.data.SerialStack;
import org.wpunet.train.weights.BoundaryWeightMap;

class SliceDatasetTest {
    private static final SerialStack STACK = Stacks.synthetic(64, 64, 5, 11);

    @Test
    void trainingSamplesAreExactCropsOfTheSameTransformOnAllFourInputs() {
        DatasetOptions o = Stacks.options(32);
        SerialStack s = Stacks.imageIsBoundary(STACK);
        SliceDataset ds = SliceDataset.training(s, 1, 5, o);
        assertEquals(3, ds.size());
        Set<Integer> codes = new HashSet<>();
        int n = 32 * 32;
        float on = Stacks.normalised(255, o), off = Stacks.normalised(0, o);
        for (int epoch = 1; epoch <= 12; epoch++) {
            Batch b = ds.batch(new int[] {0, 1, 2}, epoch, 5);
            for (int slot = 0; slot < 3; slot++) {
                int slice = ds.slice(slot);
                assertEquals(slot + 2, slice);
                assertEquals(slice, b.slices()[slot]);
                assertEquals(PrevSource.TRUE, b.sources()[slot]);
                Augmentation a = ds.augmentation(slot, epoch, 5);
                codes.add(a.dihedralCode());
                int[] src = a.sourceIndices(32, 64);
                for (int i = 0; i < n; i++) {
                    int p = slot * n + i;
                    boolean boundary = s.boundaries()[slice][src[i]] != 0, prev = s.boundaries()[slice - 1][src[i]] != 0;
                    // image = boundary in this stack, so each must have followed the same transform
                    assertEquals(boundary ? on : off, b.images()[p]);
                    assertEquals(boundary, b.weights()[2 * slot * n + n + i] == (float) BoundaryWeightMap.BOUNDARY_WEIGHT);
                    assertEquals(prev ? on : off, b.previousImages()[p]);
                    assertEquals(prev ? (byte) 255 : 0, b.previousBoundaries()[p]);
                    assertEquals(prev ? -6f : 1f, b.previous()[p]);
                }
            }
        }
        assertEquals(8, codes.size(), "all eight dihedral transforms occur");
    }

    @Test
    void imagesAreNormalisedAsTorchvision() {
        DatasetOptions o = Stacks.options(64);
        Batch b = SliceDataset.validation(STACK, 0, 2, o).batch(new int[] {0}, 1, 0);
        for (int i = 0; i < 64 * 64; i += 97) {
            int v = STACK.images()[1][i] & 0xFF;
            assertEquals((v / 255.0 - 0.9336267) / 0.1365774, b.images()[i], 1e-5);
        }
    }

    /** A 2-slice stack of width x 16 with boundary pixels at the given (x, y) in slice 1. */
    private static SerialStack dots(int width, int[][] dots) {
        int n = width * 16;
        byte[][] b = {new byte[n], new byte[n]};
        for (int[] d : dots) b[1][d[0] + width * d[1]] = (byte) 255;
        return new SerialStack(width, 16, new byte[][] {new byte[n], new byte[n]}, new int[][] {new int[n], new int[n]}, b);
    }

    @Test
    void targetIsTheBoundaryDilatedWithAFiveByFiveSquareIgnoringPixelsOutsideTheCrop() {
        // tile 0 = x 0..15 holds dots at (0, 0) and (8, 8); (16, 8) lies in tile 1, next to tile 0's edge
        SerialStack s = dots(32, new int[][] {{0, 0}, {8, 8}, {16, 8}});
        SliceDataset ds = SliceDataset.validation(s, 0, 2, Stacks.options(16));
        assertEquals(2, ds.size());
        Batch b = ds.batch(new int[] {0, 1}, 1, 0);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++) {
                boolean t0 = (x <= 2 && y <= 2) || (Math.abs(x - 8) <= 2 && Math.abs(y - 8) <= 2);
                boolean t1 = x <= 2 && Math.abs(y - 8) <= 2; // the dot at tile 1's x = 0
                assertEquals(t0 ? 1f : 0f, b.targets()[x + 16 * y], "tile 0 at " + x + "," + y);
                assertEquals(t1 ? 1f : 0f, b.targets()[256 + x + 16 * y], "tile 1 at " + x + "," + y);
            }
        // the weight map is that of the undilated tile
        byte[] tile0 = new byte[256];
        tile0[0] = (byte) 255;
        tile0[8 + 16 * 8] = (byte) 255;
        float[] w = BoundaryWeightMap.compute(tile0, 16, 16);
        assertArrayEquals(w, java.util.Arrays.copyOfRange(b.weights(), 0, 512));
        // a 3x3 dilation option
        Batch b3 = SliceDataset.validation(s, 0, 2, Stacks.options(16).withDilation(3)).batch(new int[] {0}, 1, 0);
        int ones = 0;
        for (float v : b3.targets()) ones += (int) v;
        assertEquals(4 + 9, ones);
    }

    @Test
    void validationTilesCoverTheImageWithoutOverlapOrAugmentation() {
        SerialStack s = Stacks.synthetic(80, 72, 4, 2); // 2 x 2 whole tiles of 32, the rest dropped
        DatasetOptions o = Stacks.options(32).withPrevMode(PrevMaskMode.MIXED);
        SliceDataset ds = SliceDataset.validation(s, 1, 4, o);
        assertEquals(4, ds.tilesPerSlice());
        assertEquals(2 * 4, ds.size());
        int[] all = new int[ds.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        Batch b = ds.batch(all, 3, 99);
        int n = 32 * 32;
        for (int slice = 2; slice < 4; slice++) {
            int[] covered = new int[s.width() * s.height()];
            for (int t = 0; t < 4; t++) {
                int idx = (slice - 2) * 4 + t;
                assertEquals(slice, b.slices()[idx]);
                assertEquals(PrevSource.TRUE, b.sources()[idx], "validation always feeds the true previous boundary");
                Augmentation a = ds.augmentation(idx, 3, 99);
                assertEquals(0, a.quarterTurns());
                assertFalse(a.verticalFlip() || a.horizontalFlip());
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++) {
                        int j = (a.x() + x) + s.width() * (a.y() + y);
                        covered[j]++;
                        assertEquals(Stacks.normalised(s.images()[slice][j] & 0xFF, o), b.images()[idx * n + x + 32 * y]);
                        assertEquals(s.boundaries()[slice - 1][j] != 0 ? -6f : 1f, b.previous()[idx * n + x + 32 * y]);
                    }
            }
            for (int y = 0; y < s.height(); y++)
                for (int x = 0; x < s.width(); x++)
                    assertEquals(x < 64 && y < 64 ? 1 : 0, covered[x + s.width() * y], "pixel " + x + "," + y);
        }
        // the same in every epoch and for every seed
        assertEquals(b, ds.batch(all, 1, 0));
    }

    @Test
    void mixedModeDrawsEachSourceAtItsFrequency() {
        SerialStack s = Stacks.synthetic(32, 32, 3, 4);
        var mixed = new MixedPrevMask(0.4, 0.2, 0.3, 0.1, 101);
        SliceDataset ds = SliceDataset.training(s, 0, 3, Stacks.options(16).withPrevMode(PrevMaskMode.MIXED).withMixed(mixed));
        int[] early = new int[4], late = new int[4];
        for (int epoch = 1; epoch <= 200; epoch++)
            for (int rep = 0; rep < 10; rep++) {
                Batch b = ds.batch(new int[] {0, 1}, epoch, rep);
                for (int k = 0; k < 2; k++) {
                    PrevSource src = b.sources()[k];
                    (epoch < 101 ? early : late)[src.ordinal()]++;
                    int n = 256, off = k * n;
                    for (int i = 0; i < n; i++) {
                        boolean trueOn = b.previousBoundaries()[off + i] != 0;
                        float p = b.previous()[off + i];
                        assertTrue(p == -6f || p == 1f);
                        if (src == PrevSource.EMPTY) assertEquals(1f, p);
                        if (src == PrevSource.TRUE || src == PrevSource.OWN) assertEquals(trueOn ? -6f : 1f, p);
                    }
                }
            }
        // 2000 draws each: standard error of a frequency about 0.011
        assertEquals(0, early[PrevSource.OWN.ordinal()], "no own predictions before ownFromEpoch");
        assertEquals(0.5, early[0] / 2000.0, 0.04);
        assertEquals(0.2, early[1] / 2000.0, 0.04);
        assertEquals(0.3, early[2] / 2000.0, 0.04);
        assertEquals(0.4, late[0] / 2000.0, 0.04);
        assertEquals(0.2, late[1] / 2000.0, 0.04);
        assertEquals(0.3, late[2] / 2000.0, 0.04);
        assertEquals(0.1, late[3] / 2000.0, 0.03);
    }

    @Test
    void gtModeAlwaysFeedsTheTruePreviousBoundary() {
        SliceDataset ds = SliceDataset.training(STACK, 0, 5, Stacks.options(32));
        for (int e = 1; e <= 20; e++)
            for (PrevSource p : ds.batch(new int[] {0, 1, 2, 3}, e, 1).sources()) assertEquals(PrevSource.TRUE, p);
    }

    @Test
    void degradedMasksDifferFromTheTruthButStayClose() {
        var onlyDegraded = new MixedPrevMask(0, 0, 1, 0, 1);
        SliceDataset ds = SliceDataset.training(STACK, 0, 5, Stacks.options(32).withPrevMode(PrevMaskMode.MIXED).withMixed(onlyDegraded));
        int samples = 0, differ = 0, c = 32, n = c * c;
        double recall = 0;
        for (int e = 1; e <= 25; e++) {
            Batch b = ds.batch(new int[] {0, 1, 2, 3}, e, 3);
            for (int k = 0; k < 4; k++) {
                assertEquals(PrevSource.DEGRADED, b.sources()[k]);
                boolean[] truth = new boolean[n], deg = new boolean[n];
                int trueCount = 0, found = 0;
                for (int i = 0; i < n; i++) {
                    truth[i] = b.previousBoundaries()[k * n + i] != 0;
                    deg[i] = b.previous()[k * n + i] == -6f;
                    if (truth[i]) trueCount++;
                }
                if (trueCount == 0) continue;
                samples++;
                if (!java.util.Arrays.equals(truth, deg)) differ++;
                for (int i = 0; i < n; i++) {
                    // every degraded pixel is within Chebyshev distance 1 (thickening) + 3 (shift) of the truth
                    if (deg[i]) assertTrue(near(truth, c, i % c, i / c, 4), "degraded pixel far from any true boundary");
                    if (truth[i] && near(deg, c, i % c, i / c, 4)) found++;
                }
                recall += (double) found / trueCount;
            }
        }
        assertTrue(samples > 80, "samples with a boundary: " + samples);
        assertTrue(differ >= 0.9 * samples, differ + " of " + samples + " differ");
        // stretches are dropped with p 0.25 and pixels near the crop edge may be shifted out
        double mean = recall / samples;
        assertTrue(mean > 0.55 && mean < 0.95, "mean recall of the true boundary within 4 px: " + mean);
    }

    private static boolean near(boolean[] m, int c, int x, int y, int r) {
        for (int j = Math.max(0, y - r); j <= Math.min(c - 1, y + r); j++)
            for (int i = Math.max(0, x - r); i <= Math.min(c - 1, x + r); i++) if (m[i + c * j]) return true;
        return false;
    }

    @Test
    void badInputGivesOneClearError() {
        DatasetOptions o = Stacks.options(32);
        var one = assertThrows(IllegalArgumentException.class, () -> SliceDataset.training(STACK.range(0, 1), 0, 1, o));
        assertTrue(one.getMessage().contains("at least 2 slices"), one.getMessage());
        var big = assertThrows(IllegalArgumentException.class, () -> SliceDataset.training(STACK, 0, 5, Stacks.options(96)));
        assertTrue(big.getMessage().contains("96x96") && big.getMessage().contains("64x64"), big.getMessage());
        var odd = assertThrows(IllegalArgumentException.class, () -> Stacks.options(40));
        assertTrue(odd.getMessage().contains("16") && odd.getMessage().contains("40"), odd.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> SliceDataset.validation(STACK, 3, 3, o));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        var outside = assertThrows(IllegalArgumentException.class, () -> SliceDataset.training(STACK, 3, 9, o));
        assertTrue(outside.getMessage().contains("4-9") && outside.getMessage().contains("5 slices"), outside.getMessage());
        byte[][] b = STACK.boundaries().clone();
        b[2] = b[2].clone();
        b[2][5 + 64 * 3] = 7;
        var grey = new SerialStack(64, 64, STACK.images(), STACK.labels(), b);
        var bad = assertThrows(IllegalArgumentException.class, () -> SliceDataset.training(grey, 0, 5, o));
        assertTrue(bad.getMessage().contains("slice 3") && bad.getMessage().contains("(5, 3)") && bad.getMessage().contains("255"), bad.getMessage());
        SliceDataset ds = SliceDataset.training(STACK, 0, 5, o);
        var epoch0 = assertThrows(IllegalArgumentException.class, () -> ds.batch(new int[] {0}, 0, 1));
        assertTrue(epoch0.getMessage().contains("1-based"), epoch0.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ds.batch(new int[] {4}, 1, 1));
        var mode = assertThrows(IllegalArgumentException.class, () -> PrevMaskMode.parse("own"));
        assertTrue(mode.getMessage().contains("gt or mixed"), mode.getMessage());
        assertEquals(PrevMaskMode.MIXED, PrevMaskMode.parse(" Mixed "));
        assertEquals(PrevMaskMode.GT, PrevMaskMode.parse("gt"));
        var sum = assertThrows(IllegalArgumentException.class, () -> new MixedPrevMask(0.5, 0.2, 0.2, 0, 1));
        assertTrue(sum.getMessage().contains("sum to 1") && sum.getMessage().contains("0.9"), sum.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MixedPrevMask(1.2, -0.2, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new MixedPrevMask(1, 0, 0, 0, 0));
        assertEquals(new MixedPrevMask(0.3, 0.2, 0.3, 0.2, 5), MixedPrevMask.defaults().withOwn(0.2, 5));
        assertThrows(IllegalArgumentException.class, () -> Stacks.options(32).withDilation(4));
    }
}
