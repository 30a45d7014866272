package org.wpunet.metrics;

import org.wpunet.image.DistanceTransform;

/**
 * Pratt's figure of merit of a predicted boundary map against a ground-truth boundary map (non-zero
 * = boundary): F = (1 / max(#pred, #gt)) * sum over predicted boundary pixels of 1 / (1 + 0.1 d^2),
 * d the Euclidean distance to the nearest ground-truth boundary pixel. F = 1 when neither map has a
 * boundary pixel; predicted pixels with no ground-truth boundary anywhere contribute 0.
 */
public final class PrattFom {
    /** The scaling constant alpha of Pratt's formula. */
    public static final double ALPHA = 0.1;

    private PrattFom() {}

    public static double of(byte[] pred, byte[] gt, int width, int height) {
        if (pred.length != gt.length || (long) width * height != gt.length)
            throw new IllegalArgumentException("maps must both be " + width + "x" + height);
        // distance to the nearest GT boundary pixel = EDT of the mask "not GT boundary"
        byte[] notGt = new byte[gt.length];
        long nGt = 0, nPred = 0;
        for (int i = 0; i < gt.length; i++) {
            if (gt[i] == 0) notGt[i] = 1; else nGt++;
            if (pred[i] != 0) nPred++;
        }
        long denom = Math.max(nPred, nGt);
        if (denom == 0) return 1.0;
        if (nGt == 0) return 0.0;
        double[] d2 = DistanceTransform.squaredEdt(notGt, width, height);
        double sum = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] != 0) sum += 1.0 / (1.0 + ALPHA * d2[i]);
        return sum / denom;
    }
}
