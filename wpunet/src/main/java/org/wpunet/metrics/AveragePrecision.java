package org.wpunet.metrics;

import org.wpunet.image.Boundaries;

/**
 * Mean average precision as in the Kaggle Data Science Bowl 2018. Objects are the positive labels
 * of the two label images (label 0 = background / boundary, not an object). IoU(t, p) = |t ∩ p| /
 * (|t| + |p| - |t ∩ p|) with areas over the whole image. At threshold τ a predicted object is a true
 * positive when its best IoU with a true object exceeds τ (for τ ≥ 0.5 the match is unique); FP =
 * predicted objects without such a match, FN = true objects without one; precision(τ) = TP / (TP +
 * FP + FN). mAP = mean over τ = 0.50, 0.55, ..., 0.95. If neither image has an object, mAP = 1.
 */
public final class AveragePrecision {
    private AveragePrecision() {}

    /** The ten IoU thresholds 0.50:0.05:0.95. */
    public static double[] thresholds() {
        double[] t = new double[10];
        for (int i = 0; i < 10; i++) t[i] = 0.5 + 0.05 * i;
        return t;
    }

    /**
     * From boundary maps (non-zero = boundary): the image border is set to boundary in both maps,
     * grains are the 4-connected components of the remaining non-boundary pixels.
     */
    public static double ofBoundaries(byte[] pred, byte[] gt, int width, int height) {
        int[] p = Boundaries.grainsWithBoundary(pred, width, height).labels();
        int[] g = Boundaries.grainsWithBoundary(gt, width, height).labels();
        return ofLabels(g, p);
    }

    /** From label images (ground truth, prediction), 0 = no object. */
    public static double ofLabels(int[] gt, int[] pred) {
        if (gt.length != pred.length) throw new IllegalArgumentException("label images differ in size");
        int nt = 0, np = 0;
        for (int v : gt) nt = Math.max(nt, v);
        for (int v : pred) np = Math.max(np, v);
        long[] areaT = new long[nt + 1], areaP = new long[np + 1];
        for (int v : gt) { if (v < 0) throw new IllegalArgumentException("negative label"); areaT[v]++; }
        for (int v : pred) { if (v < 0) throw new IllegalArgumentException("negative label"); areaP[v]++; }
        int objT = 0, objP = 0;
        for (int l = 1; l <= nt; l++) if (areaT[l] > 0) objT++;
        for (int l = 1; l <= np; l++) if (areaP[l] > 0) objP++;
        if (objT == 0 && objP == 0) return 1.0;
        // best IoU per true and per predicted object
        double[] bestT = new double[nt + 1], bestP = new double[np + 1];
        Contingency c = Contingency.of(gt, pred, true);
        for (int k = 0; k < c.cells(); k++) {
            int t = c.rowLabel[k], p = c.colLabel[k];
            double inter = c.count[k];
            double iou = inter / (areaT[t] + areaP[p] - inter);
            if (iou > bestT[t]) bestT[t] = iou;
            if (iou > bestP[p]) bestP[p] = iou;
        }
        double sum = 0;
        for (double tau : thresholds()) {
            int tp = 0, fn = 0;
            for (int p = 1; p <= np; p++) if (areaP[p] > 0 && bestP[p] > tau) tp++;
            for (int t = 1; t <= nt; t++) if (areaT[t] > 0 && !(bestT[t] > tau)) fn++;
            int fp = objP - tp;
            sum += (double) tp / (tp + fp + fn);
        }
        return sum / 10;
    }
}
