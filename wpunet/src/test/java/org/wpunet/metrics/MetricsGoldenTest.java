package org.wpunet.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.wpunet.image.Golden;

/** The full metric set against the Python reference (skimage VI, scipy EDT, DSB-2018 mAP). */
class MetricsGoldenTest {
    @Test
    void boundaryMapPairsMatchReference() {
        for (int c = 0; c < 3; c++) {
            var gt = Golden.get("metrics" + c + ".gt");
            var pred = Golden.get("metrics" + c + ".pred");
            double[] want = Golden.get("metrics" + c + ".scores").values();
            var s = SegmentationMetrics.evaluate(pred.bytes(), gt.bytes(), gt.width(), gt.height(), 10);
            String m = "case " + c;
            assertEquals(want[0], s.ri(), 1e-12, m + " ri");
            assertEquals(want[1], s.ari(), 1e-12, m + " ari");
            assertEquals(want[2], s.vi(), 1e-12, m + " vi");
            assertEquals(want[3], s.viMerge(), 1e-12, m + " merge");
            assertEquals(want[4], s.viSplit(), 1e-12, m + " split");
            assertEquals(want[5], s.f(), 1e-12, m + " f");
            assertEquals(want[6], s.map(), 1e-12, m + " map");
        }
    }

    @Test
    void labelVolumesMatchReference() {
        int[] gt = Golden.get("vol.gt").ints(), seg = Golden.get("vol.seg").ints();
        double[] want = Golden.get("vol.scores").values();
        var s = SegmentationMetrics.evaluateLabels(gt, seg);
        assertEquals(want[0], s.ri(), 1e-12);
        assertEquals(want[1], s.ari(), 1e-12);
        assertEquals(want[2], s.vi(), 1e-12);
        assertEquals(want[3], s.viMerge(), 1e-12);
        assertEquals(want[4], s.viSplit(), 1e-12);
    }
}
