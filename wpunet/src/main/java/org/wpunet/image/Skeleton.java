package org.wpunet.image;

/**
 * Skeletonisation of 2D binary images, identical to {@code skimage.morphology.skeletonize} (2D,
 * method "zhang"): the Zhang-Suen parallel thinning as implemented in scikit-image's
 * {@code _fast_skeletonize}. The image is padded with one background pixel. Each iteration has two
 * sub-passes; in each sub-pass every foreground pixel is classified, from the state at the start of
 * the sub-pass, by a lookup table over its 8 neighbours weighted 1 (NW), 2 (N), 4 (NE), 8 (E),
 * 16 (SE), 32 (S), 64 (SW), 128 (W): class 3 pixels are removed in both sub-passes, class 1 only in
 * the first and class 2 only in the second; iteration stops when a full iteration removes nothing.
 * The result is one pixel wide and preserves the 8-connected topology of the foreground.
 */
public final class Skeleton {
    /** scikit-image's lookup table (skimage/morphology/_skeletonize_cy.pyx, BSD licence). */
    private static final byte[] LUT = {
            0, 0, 0, 1, 0, 0, 1, 3, 0, 0, 3, 1, 1, 0, 1, 3, 0, 0, 0, 0, 0, 0,
            0, 0, 2, 0, 2, 0, 3, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 2, 2, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0,
            0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 2, 0, 0, 0, 3, 1,
            0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 1, 3, 0, 0,
            1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 2, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3,
            0, 1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0, 0, 0};

    private Skeleton() {}

    /** Skeleton of the non-zero pixels of {@code mask}; returns 0/255 bytes. */
    public static byte[] skeletonize(byte[] mask, int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height != mask.length)
            throw new IllegalArgumentException("image " + width + "x" + height + " does not match " + mask.length + " pixels");
        int pw = width + 2, ph = height + 2;
        byte[] s = new byte[pw * ph];
        int count = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (mask[x + width * y] != 0) { s[(x + 1) + pw * (y + 1)] = 1; count++; }
        // the foreground pixels still present, in raster order (order does not matter: parallel rule)
        int[] fg = new int[count];
        int k = 0;
        for (int i = 0; i < s.length; i++) if (s[i] != 0) fg[k++] = i;
        int n = count;
        int[] removed = new int[count];
        boolean any = true;
        while (any) {
            any = false;
            for (int pass = 0; pass < 2; pass++) {
                int cls = pass == 0 ? 1 : 2, nr = 0;
                for (int j = 0; j < n; j++) {
                    int i = fg[j];
                    int code = s[i - pw - 1] + 2 * s[i - pw] + 4 * s[i - pw + 1] + 8 * s[i + 1]
                            + 16 * s[i + pw + 1] + 32 * s[i + pw] + 64 * s[i + pw - 1] + 128 * s[i - 1];
                    int c = LUT[code];
                    if (c == 3 || c == cls) removed[nr++] = i;
                }
                if (nr > 0) {
                    any = true;
                    for (int j = 0; j < nr; j++) s[removed[j]] = 0;
                    int m = 0;
                    for (int j = 0; j < n; j++) if (s[fg[j]] != 0) fg[m++] = fg[j];
                    n = m;
                }
            }
        }
        byte[] out = new byte[mask.length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (s[(x + 1) + pw * (y + 1)] != 0) out[x + width * y] = (byte) 255;
        return out;
    }
}
