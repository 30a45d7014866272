package org.wpunet.tracking;

import org.wpunet.image.LabelImage;

/**
 * The original's method 1, minimum centroid distance (ORIGINAL.md section 8). For each current grain
 * c, in label order: the previous grain with the nearest centroid (Euclidean distance of the float32
 * (row, col) centroids; the first in ascending-id order on ties) is accepted only when it overlaps c
 * with intersection over union strictly above {@value #MIN_IOU}. Each previous grain then keeps, of the
 * current grains that accepted it, the one at the smallest distance (the lower label on ties). One pass:
 * a current grain whose nearest previous grain went to another starts a new grain.
 */
public final class CentroidLinker implements GrainLinker {
    /** The original's IoU threshold (strict). */
    public static final double MIN_IOU = 0.2;

    public CentroidLinker() {}

    @Override
    public int[] link(LabelImage previous, LabelImage current) {
        SliceOverlap o = new SliceOverlap(previous, current);
        int m = o.prevIds.length, n = o.current;
        int[] winner = new int[m];          // current label holding previous index j, 0 = none
        float[] best = new float[m];
        for (int c = 1; c <= n; c++) {
            if (o.curArea[c] == 0) continue;
            int nearest = -1;
            float dmin = Float.POSITIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                float dr = o.curRow[c] - o.prevRow[j], dc = o.curCol[c] - o.prevCol[j];
                float d = (float) Math.sqrt(dr * dr + dc * dc);
                if (d < dmin) { dmin = d; nearest = j; }
            }
            long inter = o.overlap(c, nearest);
            if (inter == 0) continue;
            double iou = (double) inter / (o.curArea[c] + o.prevArea[nearest] - inter);
            if (!(iou > MIN_IOU)) continue;
            if (winner[nearest] == 0 || dmin < best[nearest]) { winner[nearest] = c; best[nearest] = dmin; }
        }
        int[] prevIdOf = new int[n + 1];
        for (int j = 0; j < m; j++) if (winner[j] != 0) prevIdOf[winner[j]] = o.prevIds[j];
        return prevIdOf;
    }
}
