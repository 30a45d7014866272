package org.wpunet.data.synth;

/** Ground-truth boundary mask of one section (0 / 255 as byte -1). */
final class SectionBoundaries {
    private SectionBoundaries() {}

    /** A pixel is boundary when its right or lower neighbour belongs to another grain. */
    static byte[] of(int[] labels, int width, int height) {
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if ((x + 1 < width && labels[i + 1] != labels[i]) || (y + 1 < height && labels[i + width] != labels[i]))
                    out[i] = (byte) 255;
            }
        return out;
    }
}
