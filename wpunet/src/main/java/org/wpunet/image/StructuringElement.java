package org.wpunet.image;

import java.util.Arrays;

/**
 * A flat, symmetric 2D structuring element given by its offsets from the centre. The factories match
 * scikit-image's footprints: {@link #square(int)} = {@code skimage.morphology.square(width)} (odd
 * width), {@link #disk(int)} = {@code disk(radius)}: all (dx, dy) with dx^2 + dy^2 &lt;= r^2,
 * {@link #cross(int)}: the plus sign with arms of length r ({@code cross(1)} is scipy's
 * {@code generate_binary_structure(2, 1)}, i.e. {@code diamond(1)}).
 */
public record StructuringElement(int[] dx, int[] dy, int radiusX, int radiusY, boolean isSquare) {
    public StructuringElement {
        if (dx.length != dy.length || dx.length == 0) throw new IllegalArgumentException("offsets must be non-empty and paired");
    }

    /** The width x width square; width must be odd and positive. */
    public static StructuringElement square(int width) {
        if (width <= 0 || width % 2 == 0) throw new IllegalArgumentException("square width must be odd and positive, got " + width);
        int r = width / 2, n = width * width, k = 0;
        int[] x = new int[n], y = new int[n];
        for (int j = -r; j <= r; j++) for (int i = -r; i <= r; i++) { x[k] = i; y[k] = j; k++; }
        return new StructuringElement(x, y, r, r, true);
    }

    /** The disk dx^2 + dy^2 &lt;= radius^2. */
    public static StructuringElement disk(int radius) {
        if (radius < 0) throw new IllegalArgumentException("radius must be >= 0, got " + radius);
        int[] x = new int[(2 * radius + 1) * (2 * radius + 1)], y = new int[x.length];
        int k = 0;
        for (int j = -radius; j <= radius; j++)
            for (int i = -radius; i <= radius; i++)
                if (i * i + j * j <= radius * radius) { x[k] = i; y[k] = j; k++; }
        return new StructuringElement(Arrays.copyOf(x, k), Arrays.copyOf(y, k), radius, radius, radius <= 1 ? radius == 0 : false);
    }

    /** The plus sign: the centre and arms of {@code radius} pixels in the four axis directions. */
    public static StructuringElement cross(int radius) {
        if (radius < 0) throw new IllegalArgumentException("radius must be >= 0, got " + radius);
        int n = 4 * radius + 1, k = 1;
        int[] x = new int[n], y = new int[n];
        for (int r = 1; r <= radius; r++) {
            x[k] = r; k++; x[k] = -r; k++;
            y[k] = r; k++; y[k] = -r; k++;
        }
        return new StructuringElement(x, y, radius, radius, radius == 0);
    }

    /** Number of pixels of the element. */
    public int size() { return dx.length; }
}
