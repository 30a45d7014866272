package org.wpunet.metrics;

/**
 * Split variation of information (gala / {@code skimage.metrics.variation_of_information}), log
 * base 2. Over the N elements where neither labeling is 0 (label 0 = boundary / unlabelled is
 * ignored in both), with p_ij = n_ij / N, p_i = sum_j p_ij, q_j = sum_i p_ij:
 * <ul>
 *   <li>false merge = H(GT | Seg) = -sum_ij p_ij log2(p_ij / q_j),</li>
 *   <li>false split = H(Seg | GT) = -sum_ij p_ij log2(p_ij / p_i),</li>
 *   <li>VI = merge + split.</li>
 * </ul>
 * With no element left, both terms are 0. Works for any dimensionality (the element order is
 * irrelevant), so 2D images and 3D volumes use the same call.
 */
public final class VariationOfInformation {
    private VariationOfInformation() {}

    /** The two terms; {@link #vi()} is their sum. */
    public record Split(double merge, double split) {
        public double vi() { return merge + split; }
    }

    /** VI of segmentation {@code seg} against ground truth {@code gt}, label 0 ignored. */
    public static Split of(int[] gt, int[] seg) {
        return of(Contingency.of(gt, seg, true));
    }

    /** From a contingency table with GT as rows and the segmentation as columns. */
    public static Split of(Contingency t) {
        if (t.total == 0) return new Split(0, 0);
        double n = t.total, merge = 0, split = 0;
        for (int k = 0; k < t.cells(); k++) {
            double nij = t.count[k];
            double p = nij / n;
            merge -= p * log2(nij / t.colSum[k]);
            split -= p * log2(nij / t.rowSum[k]);
        }
        return new Split(Math.max(0, merge), Math.max(0, split));
    }

    private static double log2(double x) { return Math.log(x) / Math.log(2); }
}
