package org.wpunet.image;

/**
 * Properties of one labelled region, as {@code skimage.measure.regionprops} defines them: area =
 * pixel count; bounding box [minX, maxX) x [minY, maxY) (max exclusive, like skimage's
 * {@code bbox = (min_row, min_col, max_row, max_col)}); centroid = mean pixel coordinate.
 */
public record Region(int label, int area, int minX, int minY, int maxX, int maxY, double centroidX, double centroidY) {
    public int bboxWidth() { return maxX - minX; }

    public int bboxHeight() { return maxY - minY; }

    /**
     * The region's mask cropped to its bounding box ({@code skimage}'s {@code region.image}):
     * bboxWidth x bboxHeight bytes, row-major, 1 where {@code image} has this label.
     */
    public byte[] mask(LabelImage image) {
        int w = bboxWidth(), h = bboxHeight();
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (image.get(minX + x, minY + y) == label) out[x + w * y] = 1;
        return out;
    }
}
