package org.wpunet.image;

/**
 * Post-processing of a network's 2-class output into a one-pixel-wide boundary map, as in the
 * original WPU-Net inference: (1) argmax per pixel (class 1 = boundary; a tie goes to class 0, as
 * numpy's argmax takes the first maximum), (2) binary closing with the 3x3 square, (3)
 * {@link Skeleton#skeletonize skeletonisation}. Output: 0/255 bytes, 255 = boundary.
 */
public final class PostProcessing {
    private PostProcessing() {}

    /**
     * From class scores or probabilities laid out channel-major: {@code scores[c * width * height + i]}
     * for class c in {0, 1} and pixel i (row-major).
     */
    public static byte[] boundaryMap(float[] scores, int width, int height) {
        int n = width * height;
        if (width <= 0 || height <= 0 || scores.length != 2L * n)
            throw new IllegalArgumentException("expected 2x" + width + "x" + height + " scores, got " + scores.length);
        byte[] mask = new byte[n];
        for (int i = 0; i < n; i++) if (scores[n + i] > scores[i]) mask[i] = (byte) 255;
        return fromMask(mask, width, height);
    }

    /** Steps (2) and (3) on an already thresholded boundary mask (non-zero = boundary). */
    public static byte[] fromMask(byte[] mask, int width, int height) {
        byte[] closed = Morphology.close(mask, width, height, StructuringElement.square(3));
        return Skeleton.skeletonize(closed, width, height);
    }
}
