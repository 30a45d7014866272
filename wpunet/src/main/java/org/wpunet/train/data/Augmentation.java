package org.wpunet.train.data;

/**
 * One training sample's geometric augmentation, applied alike to the image, the boundary, the
 * previous boundary and the previous image: the crop at (x, y), then {@code quarterTurns}
 * counter-clockwise quarter turns (PIL's {@code rotate(90 * k, expand=True)}, numpy's {@code rot90}),
 * then a vertical flip (top-bottom), then a horizontal flip (left-right), in the original's order.
 */
public record Augmentation(int x, int y, int quarterTurns, boolean verticalFlip, boolean horizontalFlip) {
    public Augmentation {
        if (x < 0 || y < 0) throw new IllegalArgumentException("crop origin must be non-negative: " + x + "," + y);
        if (quarterTurns < 0 || quarterTurns > 3) throw new IllegalArgumentException("quarter turns must be 0..3, got " + quarterTurns);
    }

    /** The crop at (x, y) without rotation or flips (validation tiles). */
    public static Augmentation tile(int x, int y) { return new Augmentation(x, y, 0, false, false); }

    /**
     * The original's draw order: x in [0, width - crop], y in [0, height - crop] (inclusive), the
     * turn count in 0..3, vertical flip with p 0.5, horizontal flip with p 0.5.
     */
    static Augmentation draw(SampleRandom r, int width, int height, int crop) {
        int x = r.nextInt(width - crop + 1), y = r.nextInt(height - crop + 1), k = r.nextInt(4);
        boolean v = r.nextBoolean(), h = r.nextBoolean();
        return new Augmentation(x, y, k, v, h);
    }

    /**
     * Which of the 8 dihedral transforms this is, 0..7 = turns + 4 * reflected. Both flips together
     * are a half turn, and a vertical flip is a horizontal flip after a half turn, so the transform
     * equals a horizontal flip (iff exactly one flip) after (quarterTurns + 2 [if vertical flip]) mod 4
     * counter-clockwise quarter turns.
     */
    public int dihedralCode() {
        int turns = (quarterTurns + (verticalFlip ? 2 : 0)) & 3;
        return turns + (verticalFlip != horizontalFlip ? 4 : 0);
    }

    /**
     * For each pixel of the crop x crop result (row-major), the row-major index of its source pixel in
     * an image {@code width} pixels wide. Inverting the steps from last to first: a horizontal flip
     * maps output column ox to ox' = c-1-ox; a vertical flip maps oy to c-1-oy; one counter-clockwise
     * turn puts at (x', y') the pixel from (c-1-y', x') (the top-right corner goes to the top-left).
     */
    public int[] sourceIndices(int crop, int width) {
        if (crop <= 0 || x + crop > width) throw new IllegalArgumentException("crop " + crop + " at x " + x + " exceeds width " + width);
        int c = crop;
        int[] src = new int[c * c];
        for (int oy = 0; oy < c; oy++)
            for (int ox = 0; ox < c; ox++) {
                int sx = horizontalFlip ? c - 1 - ox : ox, sy = verticalFlip ? c - 1 - oy : oy;
                for (int t = 0; t < quarterTurns; t++) {
                    int nx = c - 1 - sy;
                    sy = sx;
                    sx = nx;
                }
                src[ox + c * oy] = (x + sx) + width * (y + sy);
            }
        return src;
    }
}
