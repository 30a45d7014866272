package org.wpunet.image;

import org.wpunet.core.cpu.Parallel;

/**
 * Binary morphology on 0/non-zero masks (row-major {@code x + width * y}); results are 0/255 bytes.
 * Border conventions follow {@code skimage.morphology.binary_*}: for dilation pixels outside the
 * image are background, for erosion they are foreground (an object touching the border is not
 * eroded from the border). Elements are symmetric, so no reflection question arises.
 * <ul>
 *   <li>dilation: out(p) = 1 iff mask(p + o) = 1 for some offset o of the element;</li>
 *   <li>erosion: out(p) = 1 iff mask(p + o) = 1 for every offset o (outside counts as 1);</li>
 *   <li>opening = dilation(erosion(mask)); closing = erosion(dilation(mask)).</li>
 * </ul>
 * Square elements use a separable (row, then column) pass.
 */
public final class Morphology {
    private static final byte ON = (byte) 255;

    private Morphology() {}

    public static byte[] dilate(byte[] mask, int width, int height, StructuringElement se) {
        return apply(mask, width, height, se, true);
    }

    public static byte[] erode(byte[] mask, int width, int height, StructuringElement se) {
        return apply(mask, width, height, se, false);
    }

    public static byte[] open(byte[] mask, int width, int height, StructuringElement se) {
        return dilate(erode(mask, width, height, se), width, height, se);
    }

    public static byte[] close(byte[] mask, int width, int height, StructuringElement se) {
        return erode(dilate(mask, width, height, se), width, height, se);
    }

    private static byte[] apply(byte[] mask, int width, int height, StructuringElement se, boolean dilate) {
        if (width <= 0 || height <= 0 || (long) width * height != mask.length)
            throw new IllegalArgumentException("image " + width + "x" + height + " does not match " + mask.length + " pixels");
        if (se.isSquare()) {
            byte[] rows = separable(mask, width, height, se.radiusX(), 1, width, height, dilate);
            return separable(rows, width, height, se.radiusY(), width, height, width, dilate);
        }
        byte[] out = new byte[mask.length];
        int[] dx = se.dx(), dy = se.dy();
        Parallel.forRange(height, 16, (from, to) -> {
            for (int y = from; y < to; y++)
                for (int x = 0; x < width; x++) {
                    boolean hit = !dilate;
                    for (int k = 0; k < dx.length; k++) {
                        int nx = x + dx[k], ny = y + dy[k];
                        boolean v = (nx < 0 || ny < 0 || nx >= width || ny >= height) ? !dilate : mask[nx + width * ny] != 0;
                        if (dilate && v) { hit = true; break; }
                        if (!dilate && !v) { hit = false; break; }
                    }
                    if (hit) out[x + width * y] = ON;
                }
        });
        return out;
    }

    /**
     * 1D max (dilate) or min (erode) filter of radius r along lines: {@code len} samples with
     * {@code step}; {@code lines} lines, line l starting at {@code l * lineStep} for rows or {@code l}
     * for columns.
     */
    private static byte[] separable(byte[] in, int width, int height, int r, int step, int len, int lines, boolean dilate) {
        byte[] out = new byte[in.length];
        boolean rowsMode = step == 1;
        Parallel.forRange(lines, 16, (from, to) -> {
            int[] prefix = new int[len + 1]; // count of foreground samples
            for (int l = from; l < to; l++) {
                int start = rowsMode ? l * width : l;
                for (int i = 0; i < len; i++) prefix[i + 1] = prefix[i] + (in[start + i * step] != 0 ? 1 : 0);
                for (int i = 0; i < len; i++) {
                    int a = i - r, b = i + r; // inclusive window
                    int lo = Math.max(a, 0), hi = Math.min(b, len - 1);
                    int count = prefix[hi + 1] - prefix[lo];
                    boolean v;
                    if (dilate) v = count > 0;
                    else v = count == hi - lo + 1; // outside counts as foreground
                    if (v) out[start + i * step] = ON;
                }
            }
        });
        return out;
    }
}
