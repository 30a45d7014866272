package org.wpunet.io;

import java.util.Objects;

/** An 8-bit grey image, row-major: pixel (x, y) is {@code pixels[x + width * y] & 0xFF}. Not copied. */
public record Gray8Image(int width, int height, byte[] pixels) {
    public Gray8Image {
        if (width <= 0 || height <= 0)
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        Objects.requireNonNull(pixels, "pixels");
        if ((long) width * height != pixels.length)
            throw new IllegalArgumentException("pixels has " + pixels.length + " entries, expected " + width + "x" + height);
    }

    /** Unsigned value of pixel (x, y). */
    public int get(int x, int y) { return pixels[x + width * y] & 0xFF; }
}
