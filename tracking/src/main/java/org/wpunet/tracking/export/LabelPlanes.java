package org.wpunet.tracking.export;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.function.IntBinaryOperator;

/**
 * Draws a 2D plane of grain labels as an RGB picture: each grain in its {@link GrainColours colour},
 * grain boundaries as dark one-pixel lines. The plane is resampled (nearest neighbour) to the output
 * size, so a cut along z can be stretched by the section spacing; boundaries are found on the output
 * grid (a pixel is drawn dark when its label differs from the pixel right of it or below it), so lines
 * stay one pixel wide at any scale.
 */
final class LabelPlanes {
    private LabelPlanes() {}

    /** Boundary pixels: the grain's colour at 25% brightness (dark, yet still telling which grain it is). */
    private static final float BOUNDARY_SHADE = 0.25f;

    /**
     * @param label  label at source (u, v), 0 <= u < srcW, 0 <= v < srcH
     * @param outW   output width (>= 1); source column of output column X is floor(X * srcW / outW)
     * @param outH   output height (>= 1); likewise for rows
     */
    static BufferedImage render(IntBinaryOperator label, int srcW, int srcH, int outW, int outH) {
        int[] col = new int[outW], row = new int[outH];
        for (int x = 0; x < outW; x++) col[x] = (int) ((long) x * srcW / outW);
        for (int y = 0; y < outH; y++) row[y] = (int) ((long) y * srcH / outH);
        // labels on the output grid, one row ahead for the "below" test
        int[] cur = new int[outW], next = new int[outW];
        fillRow(label, col, row[0], cur);
        BufferedImage img = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < outH; y++) {
            boolean last = y == outH - 1;
            if (!last) {
                if (row[y + 1] == row[y]) System.arraycopy(cur, 0, next, 0, outW);
                else fillRow(label, col, row[y + 1], next);
            }
            int base = y * outW;
            for (int x = 0; x < outW; x++) {
                int l = cur[x];
                int rgb = GrainColours.rgb(l);
                boolean edge = (x + 1 < outW && cur[x + 1] != l) || (!last && next[x] != l);
                px[base + x] = edge ? GrainColours.darken(rgb, BOUNDARY_SHADE) : rgb;
            }
            int[] t = cur; cur = next; next = t;
        }
        return img;
    }

    private static void fillRow(IntBinaryOperator label, int[] col, int v, int[] out) {
        for (int x = 0; x < out.length; x++) out[x] = label.applyAsInt(col[x], v);
    }
}
