package org.wpunet.core.cpu.kernels;

import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.cpu.Simd;

/**
 * 2x2 max pooling with stride 2, no padding, no dilation (U-Net's down-sampling), values only: the
 * inference path, where no gradient needs the indices. Output (r, q) of each (n, c) plane is the
 * maximum of {@code x[2r][2q], x[2r][2q+1], x[2r+1][2q], x[2r+1][2q+1]} taken in that order with
 * {@link Pool2dKernels#maxForward}'s rule (a later element wins only when strictly greater or NaN),
 * so the values equal that kernel's bit for bit, signed zeros and NaN included. An odd last row or
 * column is dropped (ceil_mode false). Work is split over planes; SIMD rows in
 * {@link MaxPool2x2Vector} when on.
 */
public final class MaxPool2x2 {
    private MaxPool2x2() {}

    /** y [n, c, h/2, w/2] from x [n, c, h, w]. */
    public static void forward(float[] x, int n, int c, int h, int w, float[] y) {
        Checks.positive("MaxPool2x2.forward", n, c, h, w);
        int oh = h / 2, ow = w / 2;
        if (oh == 0 || ow == 0) {
            throw new IllegalArgumentException("MaxPool2x2.forward: input " + Checks.dims(n, c, h, w) + " is smaller than the 2x2 window");
        }
        Checks.notNull("MaxPool2x2.forward", "x", x);
        Checks.notNull("MaxPool2x2.forward", "y", y);
        Checks.length("MaxPool2x2.forward", "x", x.length, (long) n * c * h * w, "x " + Checks.dims(n, c, h, w));
        Checks.length("MaxPool2x2.forward", "y", y.length, (long) n * c * oh * ow, "y " + Checks.dims(n, c, oh, ow));
        boolean simd = Simd.enabled();
        Parallel.forRange(n * c, Math.max(1, 8192 / (oh * ow)), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xo = pl * h * w, yo = pl * oh * ow;
                for (int r = 0; r < oh; r++) {
                    int top = xo + 2 * r * w, dst = yo + r * ow;
                    if (simd) MaxPool2x2Vector.row(x, top, top + w, y, dst, ow);
                    else row(x, top, top + w, y, dst, 0, ow);
                }
            }
        });
    }

    /** Outputs q0 <= q < q1 of one row from input rows starting at {@code top} and {@code bot}. */
    static void row(float[] x, int top, int bot, float[] y, int dst, int q0, int q1) {
        for (int q = q0; q < q1; q++) {
            float best = x[top + 2 * q];
            best = pick(best, x[top + 2 * q + 1]);
            best = pick(best, x[bot + 2 * q]);
            y[dst + q] = pick(best, x[bot + 2 * q + 1]);
        }
    }

    /** The pooling rule: v replaces best when strictly greater, or NaN. */
    private static float pick(float best, float v) { return v > best || v != v ? v : best; }
}
