package org.wpunet.io;

/** A single-channel 32-bit float image, row-major ({@code x + width * y}); the array is not copied. */
public record FloatImage(int width, int height, float[] values) {
    public FloatImage {
        if (width <= 0 || height <= 0 || (long) width * height != values.length)
            throw new IllegalArgumentException("float image of " + values.length + " values is not " + width + "x" + height);
    }

    public float get(int x, int y) { return values[x + width * y]; }
}
