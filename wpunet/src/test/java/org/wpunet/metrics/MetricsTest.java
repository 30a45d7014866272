package org.wpunet.metrics;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.wpunet.image.Boundaries;

/** Hand-computed answers for the metrics. */
class MetricsTest {
    @Test
    void randIndexByHand() {
        // n = {(1,1):2, (2,1):1, (2,2):1}: a=1, b=1, c=2, d=2 -> RI = 3/6, E = 18, ARI = (18-18)/(36-18) = 0
        var s = RandIndex.of(new int[]{1, 1, 2, 2}, new int[]{1, 1, 1, 2});
        assertEquals(0.5, s.ri(), 1e-15);
        assertEquals(0.0, s.ari(), 1e-15);
        var same = RandIndex.of(new int[]{1, 1, 2, 2, 0}, new int[]{5, 5, 3, 3, 9});
        assertEquals(1.0, same.ri(), 1e-15);
        assertEquals(1.0, same.ari(), 1e-15);
        // label 0 is NOT ignored: boundary pixels are one cluster
        var zero = RandIndex.of(new int[]{0, 0, 1, 1}, new int[]{0, 1, 1, 1});
        assertTrue(zero.ri() < 1);
    }

    @Test
    void viByHand() {
        var v = VariationOfInformation.of(new int[]{1, 1, 2, 2}, new int[]{1, 1, 1, 2});
        double h = -(2.0 / 3 * Math.log(2.0 / 3) + 1.0 / 3 * Math.log(1.0 / 3)) / Math.log(2);
        assertEquals(0.75 * h, v.merge(), 1e-15);   // seg cluster 1 mixes GT 1 and 2
        assertEquals(0.5, v.split(), 1e-15);        // GT 2 split in halves: half the pixels, 1 bit
        assertEquals(0.75 * h + 0.5, v.vi(), 1e-15);
        // label 0 ignored in either map: only the last two pixels count, and they agree
        var z = VariationOfInformation.of(new int[]{0, 1, 2, 2}, new int[]{1, 0, 3, 3});
        assertEquals(0, z.vi(), 0);
        assertEquals(0, VariationOfInformation.of(new int[]{0}, new int[]{0}).vi(), 0);
    }

    @Test
    void prattByHand() {
        int w = 11, h = 11;
        byte[] gt = new byte[w * h], pred = new byte[w * h];
        for (int y = 0; y < h; y++) { gt[5 + w * y] = (byte) 255; pred[6 + w * y] = (byte) 255; }
        assertEquals(1 / 1.1, PrattFom.of(pred, gt, w, h), 1e-15);
        assertEquals(1.0, PrattFom.of(gt, gt, w, h), 0);
        // half the predicted pixels missing: divided by the larger count
        byte[] half = new byte[w * h];
        for (int y = 0; y < 5; y++) half[5 + w * y] = (byte) 255;
        assertEquals(5.0 / 11, PrattFom.of(half, gt, w, h), 1e-15);
        assertEquals(1.0, PrattFom.of(new byte[4], new byte[4], 2, 2), 0);
    }

    @Test
    void mapByHand() {
        int[] gt = {1, 1, 2, 2}, same = {7, 7, 3, 3}, merged = {1, 1, 1, 1};
        assertEquals(1.0, AveragePrecision.ofLabels(gt, same), 1e-15);
        assertEquals(0.0, AveragePrecision.ofLabels(gt, merged), 0); // IoU 0.5 is not > 0.5
        // IoU 3/4 for one of two objects, the other missed: thresholds 0.50..0.70 -> 1/(1+0+1), else 0 + FP
        int[] g2 = {1, 1, 1, 1, 2, 2, 2, 2}, p2 = {1, 1, 1, 0, 0, 0, 0, 0};
        double want = 0;
        for (double t : AveragePrecision.thresholds()) want += (0.75 > t ? 1.0 / 2 : 0.0) / 10;
        assertEquals(want, AveragePrecision.ofLabels(g2, p2), 1e-15);
    }

    @Test
    void identicalMapsScorePerfectly() {
        int w = 64, h = 48;
        int[] lab = new int[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) lab[x + w * y] = (x / 16) + 4 * (y / 12);
        byte[] b = Boundaries.fromLabels(lab, w, h);
        var s = SegmentationMetrics.evaluate(b, b, w, h);
        assertEquals(1, s.ri(), 0);
        assertEquals(1, s.ari(), 1e-15);
        assertEquals(0, s.vi(), 0);
        assertEquals(1, s.f(), 0);
        assertEquals(1, s.map(), 0);
        // removing one boundary line merges grains: a false merge, no false split
        byte[] merged = b.clone();
        for (int y = 0; y < h; y++) merged[15 + w * y] = 0;
        var m = SegmentationMetrics.evaluate(merged, b, w, h, 10);
        assertTrue(m.viMerge() > 0.1);
        assertEquals(0, m.viSplit(), 1e-12);
        assertTrue(m.ari() < 1 && m.map() < 1 && m.f() < 1);
        assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.evaluate(b, b, w, h, 24));
    }
}
