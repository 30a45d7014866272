package org.wpunet.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.wpunet.data.SerialStack;
import org.wpunet.image.Boundaries;
import org.wpunet.image.LabelImage;
import org.wpunet.image.PostProcessing;

class SegmenterTest {
    static final double MEAN = 0.5, STD = 0.1;   // v > 127.5 <=> boundary logit > 0

    /** 1-px grid lines every 9 px (255; none on the last 2 rows/columns) over noise in [0, 100]: invariant under closing + skeleton. */
    static byte[] gridImage(int w, int h, long seed) {
        Random r = new Random(seed);
        byte[] img = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img[x + w * y] = (byte) ((x % 9 == 4 && x < w - 2) || (y % 9 == 4 && y < h - 2) ? 255 : r.nextInt(101));
        return img;
    }

    static byte[] threshold(byte[] img) {
        byte[] m = new byte[img.length];
        for (int i = 0; i < img.length; i++) if ((img[i] & 0xFF) > 127) m[i] = (byte) 255;
        return m;
    }

    static Segmenter segmenter(org.wpunet.model.AbstractUNet m, int tile, int margin, Stitch stitch, int batch) {
        return new Segmenter(m, MEAN, STD, new SegmentOptions(tile, margin, stitch, false, batch, "fp32"));
    }

    @Test
    void tilingAndStitchingOfAPixelwiseModelReturnTheInputExactly() {
        int[][] sizes = {{300, 200}, {257, 513}, {40, 40}, {16, 33}};
        for (int[] s : sizes)
            for (Stitch stitch : Stitch.values()) {
                int w = s[0], h = s[1];
                byte[] img = gridImage(w, h, w * 31L + h);
                SliceResult r = segmenter(new TestModels.Identity(2, false), 64, 16, stitch, 3).segment(img, w, h, null);
                String m = w + "x" + h + " " + stitch;
                float[] expect = new float[w * h];
                for (int i = 0; i < expect.length; i++) expect[i] = TestModels.identityProbability(img[i] & 0xFF, MEAN, STD);
                assertArrayEquals(expect, r.probability(), m);
                assertArrayEquals(threshold(img), r.boundary(), m);
                LabelImage cells = Boundaries.toGrains(threshold(img), w, h);
                assertArrayEquals(cells.labels(), r.labels(), m);
                assertEquals(cells.maxLabel(), r.grains(), m);
                for (int v : r.labels()) assertTrue(v >= 1 && v <= r.grains(), m);
                assertFalse(r.priorUsed());
            }
    }

    @Test
    void blendPostProcessesTheWholeSliceOnce() {
        int w = 150, h = 90;
        byte[] img = noise(w, h, 6, 5);
        SliceResult r = segmenter(new TestModels.Identity(2, false), 32, 8, Stitch.BLEND, 4).segment(img, w, h, null);
        assertArrayEquals(PostProcessing.fromMask(threshold(img), w, h), r.boundary());
    }

    /**
     * Random 0/255 blocks of b x b px (40 % on): closing and skeleton change them, and with blocks
     * larger than the tile margin per-tile processing differs from whole-slice processing.
     */
    static byte[] noise(int w, int h, int b, long seed) {
        Random r = new Random(seed);
        int bw = (w + b - 1) / b;
        boolean[] on = new boolean[bw * ((h + b - 1) / b)];
        for (int i = 0; i < on.length; i++) on[i] = r.nextInt(100) < 40;
        byte[] img = new byte[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (on[x / b + bw * (y / b)]) img[x + w * y] = (byte) 255;
        return img;
    }

    @Test
    void originalStitchingIsTheOriginalsArithmeticOn1024() {
        int n = 1024;
        byte[] img = noise(n, n, 40, 7);
        TestModels.Identity model = new TestModels.Identity(2, false);
        SliceResult r = segmenter(model, 256, 32, Stitch.ORIGINAL, 4).segment(img, n, n, null);
        // the original: tailor(256, 256, region=32), posprecess per tile, stitch rows/cols [r0, r0 + 256)
        byte[] expect = new byte[n * n];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                int y0 = i == 0 ? 0 : 256 * i - 32, x0 = j == 0 ? 0 : 256 * j - 32;
                int th = i == 0 || i == 3 ? 288 : 320, tw = j == 0 || j == 3 ? 288 : 320;
                float[] scores = new float[2 * th * tw];
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++) scores[th * tw + y * tw + x] = (float) (((img[(y0 + y) * n + x0 + x] & 0xFF) / 255.0 - MEAN) / STD);
                byte[] tile = PostProcessing.boundaryMap(scores, tw, th);
                int r0 = i == 0 ? 0 : 32, c0 = j == 0 ? 0 : 32;
                for (int y = 0; y < 256; y++) System.arraycopy(tile, (r0 + y) * tw + c0, expect, (256 * i + y) * n + 256 * j, 256);
            }
        assertArrayEquals(expect, r.boundary());
        // the seams matter: post-processing the whole slice at once differs
        assertFalse(Arrays.equals(expect, PostProcessing.fromMask(threshold(img), n, n)));
        // 3 shapes (corner, edge, inner) in batches of at most 4: 4 corners, 8 edges (2 shapes), 4 inner
        assertEquals(16, model.shapes.size());
    }

    // ---- stacks: 3 slices of 32x32, one tile each (tile 32, margin 0) ----

    static byte[][] stackImages(int slices) {
        byte[][] imgs = new byte[slices][];
        for (int k = 0; k < slices; k++) imgs[k] = gridImage(32, 32, 100 + k);
        for (int k = 0; k < slices; k++) for (int x = 0; x < 32; x++) imgs[k][x + 32 * (8 + 9 * k)] = (byte) 255;   // one distinct line per slice
        return imgs;
    }

    static byte[] decode(float[] prior) {
        byte[] m = new byte[prior.length];
        for (int i = 0; i < prior.length; i++) {
            assertTrue(prior[i] == -6f || prior[i] == 1f, "prior coded -6/1");
            if (prior[i] < 0) m[i] = (byte) 255;
        }
        return m;
    }

    @Test
    void ownPropagationFeedsEachSliceThePreviousPrediction() {
        TestModels.Identity probe = new TestModels.Identity(2, false);
        byte[][] imgs = stackImages(3);
        List<Integer> done = new ArrayList<>();
        StackResult r = segmenter(probe, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32, Propagation.OWN, null,
                new Segmenter.Listener() {
                    @Override public void slice(int index, int count, SliceResult s) { done.add(index); }
                });
        assertEquals(List.of(0, 1, 2), done);
        assertEquals(3, probe.priors.size());
        assertArrayEquals(new byte[32 * 32], decode(probe.priors.get(0)));   // no prior for the first slice
        for (int k = 1; k < 3; k++) assertArrayEquals(r.slices().get(k - 1).boundary(), decode(probe.priors.get(k)), "slice " + k);
        assertFalse(Arrays.equals(r.slices().get(0).boundary(), r.slices().get(1).boundary()));
        assertTrue(r.slices().get(1).priorUsed());
        assertEquals(List.of(), r.guarded());

        // a first mask is the first slice's prior
        TestModels.Identity probe2 = new TestModels.Identity(2, false);
        byte[] first = threshold(imgs[2]);
        segmenter(probe2, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32, Propagation.OWN, first, null);
        assertArrayEquals(first, decode(probe2.priors.get(0)));
    }

    @Test
    void gtPropagationUsesTheTrueBoundariesAndNoneUsesAllGrainMasks() {
        byte[][] imgs = stackImages(3);
        byte[][] truth = new byte[3][];
        int[][] labels = new int[3][];
        for (int k = 0; k < 3; k++) {
            labels[k] = new int[32 * 32];
            for (int i = 0; i < labels[k].length; i++) labels[k][i] = (i % 32) / (5 + k) + 10 * (i / 32 / 7);
            truth[k] = Boundaries.fromLabels(labels[k], 32, 32);
        }
        SerialStack stack = new SerialStack(32, 32, imgs, labels, truth);
        TestModels.Identity gt = new TestModels.Identity(2, false);
        segmenter(gt, 32, 0, Stitch.ORIGINAL, 2).segmentStack(stack, Propagation.GT, null, null);
        assertArrayEquals(new byte[32 * 32], decode(gt.priors.get(0)));
        for (int k = 1; k < 3; k++) assertArrayEquals(truth[k - 1], decode(gt.priors.get(k)), "slice " + k);

        TestModels.Identity none = new TestModels.Identity(2, false);
        StackResult r = segmenter(none, 32, 0, Stitch.BLEND, 2).segmentStack(stack, Propagation.NONE, null, null);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(new byte[32 * 32], decode(none.priors.get(k)));
            assertFalse(r.slices().get(k).priorUsed());
        }

        // a U-Net sees the image only, whatever the mode
        TestModels.Identity unet = new TestModels.Identity(1, false);
        StackResult u = segmenter(unet, 32, 0, Stitch.BLEND, 2).segmentStack(stack, Propagation.GT, null, null);
        assertTrue(unet.priors.isEmpty());
        assertArrayEquals(threshold(imgs[1]), u.slices().get(1).boundary());
    }

    @Test
    void theGuardResegmentsASliceWhoseBoundaryCollapsesUnderItsPrior() {
        TestModels.Identity collapse = new TestModels.Identity(2, true);
        byte[][] imgs = stackImages(3);
        List<String> warnings = new ArrayList<>();
        StackResult r = segmenter(collapse, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32, Propagation.OWN, null,
                new Segmenter.Listener() {
                    @Override public void warning(int index, String message) { warnings.add(index + ": " + message); }
                });
        assertEquals(List.of(1, 2), r.guarded());
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(0).startsWith("1: slice 2: boundary density 0.0000 is below 0.5 x its prior's"), warnings.get(0));
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(threshold(imgs[k]), r.slices().get(k).boundary(), "slice " + k);
            assertFalse(r.slices().get(k).priorUsed());
        }
        // 5 forward passes: slice 1, slice 2 with the prior (collapsed), slice 2, slice 3 with the prior, slice 3
        assertEquals(5, collapse.priors.size());
    }

    @Test
    void reversePassesThePriorFromTheLastSliceTowardsTheFirst() {
        TestModels.Identity probe = new TestModels.Identity(2, false);
        byte[][] imgs = stackImages(3);
        List<Integer> done = new ArrayList<>();
        byte[] first = threshold(imgs[0]);
        StackResult r = segmenter(probe, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32, Propagation.OWN, Direction.REVERSE,
                first, new Segmenter.Listener() {
                    @Override public void slice(int index, int count, SliceResult s) { done.add(index); }
                });
        assertEquals(List.of(2, 1, 0), done);
        // calls in order: slice 3 (the first mask), slice 2 (slice 3's result), slice 1 (slice 2's result)
        assertArrayEquals(first, decode(probe.priors.get(0)));
        assertArrayEquals(r.slices().get(2).boundary(), decode(probe.priors.get(1)));
        assertArrayEquals(r.slices().get(1).boundary(), decode(probe.priors.get(2)));
        // results are kept at their slice index
        for (int k = 0; k < 3; k++) assertArrayEquals(threshold(imgs[k]), r.slices().get(k).boundary(), "slice " + k);
    }

    @Test
    void twoWayRunsAReversePassThenAForwardPassAveragingTheirProbabilities() {
        // pass 1 (reverse) answers logit 2, pass 2 (forward) logit -1: every emitted probability is their mean
        TestModels.TwoAnswers two = new TestModels.TwoAnswers(2f, -1f, 3);
        List<Integer> done = new ArrayList<>(), progress = new ArrayList<>();
        StackResult r = segmenter(two, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(stackImages(3)), 32, 32, Propagation.OWN,
                Direction.BOTH, null, new Segmenter.Listener() {
                    @Override public void slice(int index, int count, SliceResult s) { done.add(index); }
                    @Override public void progress(int d, int total) { progress.add(d * 10 + total); }
                });
        assertEquals(List.of(0, 1, 2), done);
        assertEquals(List.of(16, 26, 36, 46, 56, 66), progress);   // 6 passes of 6
        float expect = (float) (0.5 * (1 / (1 + Math.exp(-2.0)) + 1 / (1 + Math.exp(1.0))));   // 0.5*(0.881+0.269) = 0.575
        for (SliceResult s : r.slices()) {
            for (float p : s.probability()) assertEquals(expect, p, 1e-6f);
            // p > 0.5 everywhere: all boundary, skeletonised to a thin set, not the all-grain answer of pass 2 alone
            assertTrue(s.boundaryDensity() > 0, "the average, not the last pass, decides");
        }

        // the forward chain passes on the averaged boundaries: the probe sees reverse priors, then forward ones
        TestModels.Identity probe = new TestModels.Identity(2, false);
        byte[][] imgs = stackImages(3);
        StackResult p = segmenter(probe, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32, Propagation.OWN, Direction.BOTH, null, null);
        assertEquals(6, probe.priors.size());
        assertArrayEquals(new byte[32 * 32], decode(probe.priors.get(0)));   // reverse: slice 3 first, no prior
        assertArrayEquals(new byte[32 * 32], decode(probe.priors.get(3)));   // forward: slice 1 first, no prior
        for (int k = 1; k < 3; k++) assertArrayEquals(p.slices().get(k - 1).boundary(), decode(probe.priors.get(3 + k)), "slice " + k);
        // a model that ignores its prior gives the one-way answer (the mean of two equal probabilities)
        StackResult f = segmenter(new TestModels.Identity(2, false), 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32,
                Propagation.OWN, null, null);
        for (int k = 0; k < 3; k++) assertArrayEquals(f.slices().get(k).probability(), p.slices().get(k).probability(), "slice " + k);

        // NONE and U-Nets: both passes would be the same, so only one runs
        TestModels.Identity none = new TestModels.Identity(2, false);
        segmenter(none, 32, 0, Stitch.BLEND, 1).segmentStack(List.of(imgs), 32, 32, Propagation.NONE, Direction.BOTH, null, null);
        assertEquals(3, none.priors.size());
    }

    @Test
    void theTwoWayStoreKeepsProbabilitiesOnDiskExactlyAsOnTheHeap() {
        Random rnd = new Random(5);
        float[][] planes = new float[4][77];
        for (float[] p : planes) for (int i = 0; i < p.length; i++) p[i] = rnd.nextFloat();
        for (boolean heap : new boolean[] {true, false})
            try (ProbabilityStore s = new ProbabilityStore(4, 77, heap)) {
                assertEquals(heap, s.onHeap());
                for (int k = 3; k >= 0; k--) s.put(k, planes[k]);
                for (int k = 0; k < 4; k++) assertArrayEquals(planes[k], s.get(k), "slice " + k + (heap ? " heap" : " disk"));
                assertThrows(IllegalArgumentException.class, () -> s.put(0, new float[5]));
            }
        try (ProbabilityStore s = new ProbabilityStore(2, 3, false)) {
            assertThrows(IllegalStateException.class, () -> s.get(1));   // never written
        }
    }

    @Test
    void badInputGivesOneClearError() {
        Segmenter s = segmenter(new TestModels.Identity(2, false), 64, 16, Stitch.BLEND, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.segment(new byte[15 * 40], 15, 40, null));
        assertTrue(e.getMessage().contains("15x40 is too small"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.segment(new byte[100], 20, 20, null));
        assertEquals("image has 100 bytes, expected 20x20 = 400", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.segment(new byte[400], 20, 20, new byte[399]));
        assertTrue(e.getMessage().startsWith("previous boundary has 399 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> s.segmentStack(List.of(new byte[400], new byte[400]), 20, 20, Propagation.GT, null, null));
        assertTrue(e.getMessage().startsWith("GT propagation needs the true boundaries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> s.segmentStack(List.of(new byte[400], new byte[399]), 20, 20, Propagation.OWN, null, null));
        assertEquals("slice 2 has 399 bytes, expected 20x20", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SegmentOptions(64, 16, Stitch.BLEND, false, 1, "fp16"));
        assertEquals("precision must be fp32, tf32 or bf16, got 'fp16'", e.getMessage());
        TestModels.Identity training = new TestModels.Identity(2, false);
        training.train();
        e = assertThrows(IllegalArgumentException.class, () -> segmenter(training, 64, 16, Stitch.BLEND, 1));
        assertTrue(e.getMessage().contains("training mode"), e.getMessage());
    }
}
