package org.wpunet.metrics;

import org.wpunet.image.ConnectedComponents;

/**
 * The paper's full metric set for a predicted boundary map against a ground-truth one (gala
 * conventions). Boundary maps: 8-bit, non-zero (255) = boundary, row-major. Steps:
 * <ol>
 *   <li>both maps are cropped by {@code crop} pixels at each border (default 10);</li>
 *   <li>grains: 4-connected components of the non-boundary pixels, boundary pixels = label 0;</li>
 *   <li>VI split (merge H(GT|Seg), split H(Seg|GT), log2, label 0 ignored) — {@link VariationOfInformation};</li>
 *   <li>RI and ARI over pixel pairs, label 0 kept as one cluster — {@link RandIndex};</li>
 *   <li>Pratt's figure of merit on the cropped boundary pixels — {@link PrattFom};</li>
 *   <li>mAP (DSB 2018) with the cropped image's border set to boundary — {@link AveragePrecision}.</li>
 * </ol>
 */
public final class SegmentationMetrics {
    /** The default border crop in pixels. */
    public static final int DEFAULT_CROP = 10;

    private SegmentationMetrics() {}

    /** All scores of one pair. */
    public record Scores(double ri, double ari, double vi, double viMerge, double viSplit, double f, double map) {}

    /** 3D (or any label arrays) scores: RI/ARI with 0 kept, VI with 0 ignored. */
    public record Scores3D(double ri, double ari, double vi, double viMerge, double viSplit) {}

    /** Full metric set with the default 10 px crop. */
    public static Scores evaluate(byte[] pred, byte[] gt, int width, int height) {
        return evaluate(pred, gt, width, height, DEFAULT_CROP);
    }

    /** Full metric set; {@code pred} and {@code gt} are boundary maps of {@code width x height}. */
    public static Scores evaluate(byte[] pred, byte[] gt, int width, int height, int crop) {
        if ((long) width * height != gt.length || pred.length != gt.length)
            throw new IllegalArgumentException("boundary maps must both be " + width + "x" + height
                    + " (got " + pred.length + " and " + gt.length + " pixels)");
        if (crop < 0 || 2L * crop >= width || 2L * crop >= height)
            throw new IllegalArgumentException("crop " + crop + " leaves nothing of a " + width + "x" + height + " image");
        int w = width - 2 * crop, h = height - 2 * crop;
        byte[] p = crop(pred, width, crop, w, h), g = crop(gt, width, crop, w, h);
        int[] pl = grains(p, w, h), gl = grains(g, w, h);
        var vi = VariationOfInformation.of(gl, pl);
        var rand = RandIndex.of(gl, pl);
        double f = PrattFom.of(p, g, w, h);
        double map = AveragePrecision.ofBoundaries(p, g, w, h);
        return new Scores(rand.ri(), rand.ari(), vi.vi(), vi.merge(), vi.split(), f, map);
    }

    /** VI/RI/ARI of two label volumes (or images) of equal size, e.g. 3D grains after tracking. */
    public static Scores3D evaluateLabels(int[] gt, int[] seg) {
        var vi = VariationOfInformation.of(gt, seg);
        var rand = RandIndex.of(gt, seg);
        return new Scores3D(rand.ri(), rand.ari(), vi.vi(), vi.merge(), vi.split());
    }

    /** Grain labels of a boundary map: 4-connected non-boundary pixels, boundary = 0. */
    public static int[] grains(byte[] boundary, int width, int height) {
        int[] v = new int[boundary.length];
        for (int i = 0; i < v.length; i++) v[i] = boundary[i] == 0 ? 1 : 0;
        return ConnectedComponents.label(v, width, height, 4, 0).labels();
    }

    static byte[] crop(byte[] map, int width, int crop, int w, int h) {
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) System.arraycopy(map, (y + crop) * width + crop, out, y * w, w);
        return out;
    }
}
