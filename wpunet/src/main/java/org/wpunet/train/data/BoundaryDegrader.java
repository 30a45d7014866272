package org.wpunet.train.data;

import org.wpunet.image.ConnectedComponents;

/**
 * Makes a true boundary mask look like a predicted one, for {@link PrevSource#DEGRADED} samples:
 * <ol>
 *   <li>cut the boundary into stretches by removing its junction pixels (crossing number &gt;= 3: three
 *       or more separate runs of boundary pixels around the pixel's 8-neighbourhood), the stretches
 *       being the 8-connected components of what remains;</li>
 *   <li>drop each stretch with p {@value #DROP} (missing boundaries); a junction pixel stays when a
 *       kept stretch or another junction pixel touches it;</li>
 *   <li>thicken each kept stretch with p {@value #THICKEN} by a 3x3 dilation (uneven predicted width);</li>
 *   <li>shift the whole mask by (dx, dy), each uniform in [-{@value #MAX_SHIFT}, {@value #MAX_SHIFT}]
 *       (misregistration between sections); pixels shifted in from outside are grain.</li>
 * </ol>
 * Every output pixel is therefore within Chebyshev distance 1 + {@value #MAX_SHIFT} of a true
 * boundary pixel. All draws come from the sample's own stream, in the order: per stretch (in label
 * order) drop, thicken; then dx, dy.
 */
final class BoundaryDegrader {
    static final double DROP = 0.25, THICKEN = 0.3;
    static final int MAX_SHIFT = 3;
    private static final byte ON = (byte) 255;
    /** The 8 neighbours in circular order N, NE, E, SE, S, SW, W, NW. */
    private static final int[] CX = {0, 1, 1, 1, 0, -1, -1, -1}, CY = {-1, -1, 0, 1, 1, 1, 0, -1};

    private BoundaryDegrader() {}

    static byte[] degrade(byte[] boundary, int w, int h, SampleRandom r) {
        int n = w * h;
        boolean[] junction = new boolean[n];
        byte[] stretches = new byte[n];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = x + w * y;
                if (boundary[i] == 0) continue;
                if (crossings(boundary, w, h, x, y) >= 3) junction[i] = true;
                else stretches[i] = 1;
            }
        int[] lab = ConnectedComponents.labelMask(stretches, w, h, 8).labels();
        int m = 0;
        for (int v : lab) m = Math.max(m, v);
        boolean[] keep = new boolean[m + 1], thick = new boolean[m + 1];
        for (int g = 1; g <= m; g++) {
            keep[g] = r.nextDouble() >= DROP;
            thick[g] = r.nextDouble() < THICKEN;
        }
        byte[] out = new byte[n];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = x + w * y, g = lab[i];
                if (g > 0 && keep[g]) {
                    out[i] = ON;
                    if (thick[g]) square3(out, w, h, x, y);
                } else if (junction[i] && touchesKept(lab, keep, junction, w, h, x, y)) {
                    out[i] = ON;
                }
            }
        int dx = r.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT, dy = r.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
        return shift(out, w, h, dx, dy);
    }

    /** Number of off-to-on transitions going once around the 8-neighbourhood (outside the image is off). */
    static int crossings(byte[] b, int w, int h, int x, int y) {
        int count = 0;
        boolean prev = on(b, w, h, x + CX[7], y + CY[7]);
        for (int k = 0; k < 8; k++) {
            boolean cur = on(b, w, h, x + CX[k], y + CY[k]);
            if (cur && !prev) count++;
            prev = cur;
        }
        return count;
    }

    private static boolean on(byte[] b, int w, int h, int x, int y) {
        return x >= 0 && y >= 0 && x < w && y < h && b[x + w * y] != 0;
    }

    private static boolean touchesKept(int[] lab, boolean[] keep, boolean[] junction, int w, int h, int x, int y) {
        for (int k = 0; k < 8; k++) {
            int nx = x + CX[k], ny = y + CY[k];
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            int j = nx + w * ny;
            if (junction[j] || (lab[j] > 0 && keep[lab[j]])) return true;
        }
        return false;
    }

    private static void square3(byte[] out, int w, int h, int x, int y) {
        for (int j = Math.max(0, y - 1); j <= Math.min(h - 1, y + 1); j++)
            for (int i = Math.max(0, x - 1); i <= Math.min(w - 1, x + 1); i++) out[i + w * j] = ON;
    }

    /** out(x, y) = in(x - dx, y - dy) inside the image, 0 elsewhere. */
    static byte[] shift(byte[] in, int w, int h, int dx, int dy) {
        byte[] out = new byte[in.length];
        for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++)
            System.arraycopy(in, Math.max(0, -dx) + w * (y - dy), out, Math.max(0, dx) + w * y, w - Math.abs(dx));
        return out;
    }
}
