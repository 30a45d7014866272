package org.wpunet.infer;

/**
 * The segmentation of one slice; arrays row-major, width x height.
 *
 * @param boundary    0/255 bytes, 255 = boundary (one pixel wide after the skeleton)
 * @param probability the network's boundary probability: softmax of the two logits (class 1), or the
 *                    one-channel output clamped to [0, 1]; stitched as {@link SegmentOptions#stitch} says
 * @param labels      grain labels 1..grains: 4-connected grains of {@code boundary} with every boundary
 *                    pixel (and the image border) given to a neighbouring grain
 *                    ({@link org.wpunet.image.Boundaries#toGrains})
 * @param grains      number of grains
 * @param priorUsed   whether a previous-slice boundary was fed to the network (false for U-Net, for a
 *                    null prior, and for a slice the guard re-segmented without its prior)
 */
public record SliceResult(int width, int height, byte[] boundary, float[] probability, int[] labels, int grains, boolean priorUsed) {
    /** Fraction of boundary pixels. */
    public double boundaryDensity() { return density(boundary); }

    static double density(byte[] map) {
        long c = 0;
        for (byte b : map) if (b != 0) c++;
        return (double) c / map.length;
    }
}
