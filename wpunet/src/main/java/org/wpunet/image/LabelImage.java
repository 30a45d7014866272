package org.wpunet.image;

import java.util.Objects;

/**
 * A 2D integer label image, row-major: pixel (x, y) is {@code labels[x + width * y]}. Label 0 is
 * background / boundary by convention; grains have positive labels. The array is not copied.
 */
public record LabelImage(int width, int height, int[] labels) {
    public LabelImage {
        if (width <= 0 || height <= 0)
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        Objects.requireNonNull(labels, "labels");
        if ((long) width * height != labels.length)
            throw new IllegalArgumentException("labels has " + labels.length + " pixels, expected " + width + "x" + height);
    }

    /** Label of pixel (x, y). */
    public int get(int x, int y) { return labels[x + width * y]; }

    /** The largest label (0 for an empty / all-background image). */
    public int maxLabel() {
        int m = 0;
        for (int v : labels) if (v > m) m = v;
        return m;
    }
}
