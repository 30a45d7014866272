package org.wpunet.tracking;

/**
 * Translation-only registration of serial sections ({@code --align}), for real stacks whose sections
 * shift when polished: each slice's boundary map is registered to the previous, already aligned, one
 * by phase correlation. With F and G the Fourier transforms of the reference and the moving map (boundary
 * = 1, grain = 0, mean removed, zero-padded to powers of two), the normalised cross-power spectrum
 * conj(F) G / |conj(F) G| is the transform of a unit impulse at the displacement d for which
 * moving(p) = reference(p - d); its inverse transform's peak gives d (the first maximum in raster order,
 * coordinates past half the padded size read as negative). The slice is then moved back by d, pixels
 * moved in from outside being grain (0) for boundaries, 0 for probabilities.
 */
public final class SliceAlignment {
    private SliceAlignment() {}

    /** An integer displacement in pixels (x to the right, y down). */
    public record Shift(int dx, int dy) {
        public Shift plus(Shift o) { return new Shift(dx + o.dx, dy + o.dy); }
        public Shift minus(Shift o) { return new Shift(dx - o.dx, dy - o.dy); }
        public boolean isZero() { return dx == 0 && dy == 0; }
        @Override public String toString() { return "(" + dx + ", " + dy + ")"; }
    }

    /** The aligned maps and, for every slice, the displacement that was removed (slice 0: zero). */
    public record Result(byte[][] aligned, Shift[] shifts) {}

    /** Displacement d of {@code moving} relative to {@code reference}: moving(p) ~ reference(p - d). */
    public static Shift estimate(byte[] reference, byte[] moving, int width, int height) {
        if (reference.length != moving.length || (long) width * height != reference.length)
            throw new IllegalArgumentException("maps of " + reference.length + " and " + moving.length + " pixels do not match " + width + "x" + height);
        int pw = Fft2.powerOfTwo(width), ph = Fft2.powerOfTwo(height);
        double[] fr = padded(reference, width, height, pw, ph), fi = new double[pw * ph];
        double[] gr = padded(moving, width, height, pw, ph), gi = new double[pw * ph];
        Fft2.transform(fr, fi, pw, ph, false);
        Fft2.transform(gr, gi, pw, ph, false);
        for (int i = 0; i < fr.length; i++) {          // conj(F) * G, normalised to unit magnitude
            double re = fr[i] * gr[i] + fi[i] * gi[i], im = fr[i] * gi[i] - fi[i] * gr[i];
            double mag = Math.hypot(re, im);
            if (mag > 1e-12) { fr[i] = re / mag; fi[i] = im / mag; } else { fr[i] = 0; fi[i] = 0; }
        }
        Fft2.transform(fr, fi, pw, ph, true);
        int best = 0;
        for (int i = 1; i < fr.length; i++) if (fr[i] > fr[best]) best = i;
        int dx = best % pw, dy = best / pw;
        if (dx >= pw / 2) dx -= pw;
        if (dy >= ph / 2) dy -= ph;
        return new Shift(dx, dy);
    }

    /** Aligns every slice to the previous aligned one; the shifts are each slice's displacement from slice 0's
     * frame (its displacement from the previous raw slice is {@code shifts[k].minus(shifts[k - 1])}). */
    public static Result alignStack(byte[][] boundaries, int width, int height) {
        StackTracker.checkStack(boundaries.length, width, height);
        byte[][] out = new byte[boundaries.length][];
        Shift[] shifts = new Shift[boundaries.length];
        out[0] = boundaries[0];
        shifts[0] = new Shift(0, 0);
        for (int k = 1; k < boundaries.length; k++) {
            // the previous slice is already in slice 0's frame, so d is this slice's displacement from that frame
            Shift d = estimate(out[k - 1], boundaries[k], width, height);
            shifts[k] = d;
            out[k] = d.isZero() ? boundaries[k] : shift(boundaries[k], width, height, d);
        }
        return new Result(out, shifts);
    }

    /** Moves a map back by {@code d}: out(p) = in(p + d); pixels from outside are 0. */
    public static byte[] shift(byte[] in, int width, int height, Shift d) {
        byte[] out = new byte[in.length];
        for (int y = 0; y < height; y++) {
            int sy = y + d.dy();
            if (sy < 0 || sy >= height) continue;
            for (int x = 0; x < width; x++) {
                int sx = x + d.dx();
                if (sx >= 0 && sx < width) out[x + width * y] = in[sx + width * sy];
            }
        }
        return out;
    }

    /** {@link #shift(byte[], int, int, Shift)} for a float map (e.g. a boundary probability). */
    public static float[] shift(float[] in, int width, int height, Shift d) {
        float[] out = new float[in.length];
        for (int y = 0; y < height; y++) {
            int sy = y + d.dy();
            if (sy < 0 || sy >= height) continue;
            for (int x = 0; x < width; x++) {
                int sx = x + d.dx();
                if (sx >= 0 && sx < width) out[x + width * y] = in[sx + width * sy];
            }
        }
        return out;
    }

    private static double[] padded(byte[] map, int width, int height, int pw, int ph) {
        double mean = 0;
        for (byte b : map) if (b != 0) mean++;
        mean /= map.length;
        double[] out = new double[pw * ph];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) out[x + pw * y] = (map[x + width * y] != 0 ? 1 : 0) - mean;
        return out;
    }
}
