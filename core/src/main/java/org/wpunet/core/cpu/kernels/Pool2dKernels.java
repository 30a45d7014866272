package org.wpunet.core.cpu.kernels;

import java.util.Arrays;
import org.wpunet.core.cpu.Parallel;

/**
 * Max pooling 2-d, NCHW, PyTorch semantics (ceil_mode false): the window of output (r, q) starts at
 * {@code (r*sh - ph, q*sw - pw)} and takes every {@code dh}-th row / {@code dw}-th column of a
 * {@code kh x kw} dilated window, ignoring positions outside the image (implicit -inf padding).
 * {@code indices} hold the flat position {@code ih*w + iw} of the maximum inside its (n, c) plane,
 * chosen exactly as torch does: the first strict maximum in row-major window order, a NaN always
 * wins (the last NaN seen), and a window of only -inf reports its first in-image position.
 * Work is split over (n, c) planes.
 */
public final class Pool2dKernels {
    private Pool2dKernels() {}

    public static void maxForward(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                                  int dh, int dw, float[] y, int[] indices) {
        int[] o = check("Pool2d.maxForward", n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        int oh = o[0], ow = o[1];
        lengths("Pool2d.maxForward", n, c, h, w, oh, ow, x == null ? -1 : x.length, y == null ? -1 : y.length,
                indices == null ? -1 : indices.length, "x", "y");
        boolean twoByTwo = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1;
        Parallel.forRange(n * c, Math.max(1, 8192 / (oh * ow)), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xo = pl * h * w, yo = pl * oh * ow;
                if (twoByTwo) {
                    for (int r = 0; r < oh; r++) {
                        int top = xo + 2 * r * w, bot = top + w, dst = yo + r * ow;
                        for (int q = 0; q < ow; q++) {
                            int i0 = top + 2 * q;
                            // same order and comparison as the general loop
                            float best = x[i0];
                            int bi = i0;
                            float v = x[i0 + 1];
                            if (v > best || Float.isNaN(v)) { best = v; bi = i0 + 1; }
                            v = x[bot + 2 * q];
                            if (v > best || Float.isNaN(v)) { best = v; bi = bot + 2 * q; }
                            v = x[bot + 2 * q + 1];
                            if (v > best || Float.isNaN(v)) { best = v; bi = bot + 2 * q + 1; }
                            y[dst + q] = best;
                            indices[dst + q] = bi - xo;
                        }
                    }
                    continue;
                }
                for (int r = 0; r < oh; r++) {
                    int ih0 = r * sh - ph, ih1 = Math.min(ih0 + (kh - 1) * dh + 1, h);
                    while (ih0 < 0) ih0 += dh;
                    for (int q = 0; q < ow; q++) {
                        int iw0 = q * sw - pw, iw1 = Math.min(iw0 + (kw - 1) * dw + 1, w);
                        while (iw0 < 0) iw0 += dw;
                        int bi = ih0 * w + iw0;
                        float best = Float.NEGATIVE_INFINITY;
                        for (int ih = ih0; ih < ih1; ih += dh) {
                            for (int iw = iw0; iw < iw1; iw += dw) {
                                float v = x[xo + ih * w + iw];
                                if (v > best || Float.isNaN(v)) { best = v; bi = ih * w + iw; }
                            }
                        }
                        y[yo + r * ow + q] = best;
                        indices[yo + r * ow + q] = bi;
                    }
                }
            }
        });
    }

    public static void maxBackward(float[] dy, int[] indices, int n, int c, int h, int w, int oh, int ow, float[] dx) {
        Checks.positive("Pool2d.maxBackward", n, c, h, w, oh, ow);
        lengths("Pool2d.maxBackward", n, c, h, w, oh, ow, dx == null ? -1 : dx.length, dy == null ? -1 : dy.length,
                indices == null ? -1 : indices.length, "dx", "dy");
        int hw = h * w, op = oh * ow;
        Parallel.forRange(n * c, Math.max(1, 8192 / op), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xo = pl * hw, yo = pl * op;
                Arrays.fill(dx, xo, xo + hw, 0f);
                for (int i = 0; i < op; i++) {
                    int idx = indices[yo + i];
                    if (idx < 0 || idx >= hw) throw badIndex(idx, n, c, h, w);
                    dx[xo + idx] += dy[yo + i];
                }
            }
        });
    }

    public static void maxForward(double[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                                  int dh, int dw, double[] y, int[] indices) {
        int[] o = check("Pool2d.maxForward", n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        int oh = o[0], ow = o[1];
        lengths("Pool2d.maxForward", n, c, h, w, oh, ow, x == null ? -1 : x.length, y == null ? -1 : y.length,
                indices == null ? -1 : indices.length, "x", "y");
        Parallel.forRange(n * c, Math.max(1, 8192 / (oh * ow)), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xo = pl * h * w, yo = pl * oh * ow;
                for (int r = 0; r < oh; r++) {
                    int ih0 = r * sh - ph, ih1 = Math.min(ih0 + (kh - 1) * dh + 1, h);
                    while (ih0 < 0) ih0 += dh;
                    for (int q = 0; q < ow; q++) {
                        int iw0 = q * sw - pw, iw1 = Math.min(iw0 + (kw - 1) * dw + 1, w);
                        while (iw0 < 0) iw0 += dw;
                        int bi = ih0 * w + iw0;
                        double best = Double.NEGATIVE_INFINITY;
                        for (int ih = ih0; ih < ih1; ih += dh) {
                            for (int iw = iw0; iw < iw1; iw += dw) {
                                double v = x[xo + ih * w + iw];
                                if (v > best || Double.isNaN(v)) { best = v; bi = ih * w + iw; }
                            }
                        }
                        y[yo + r * ow + q] = best;
                        indices[yo + r * ow + q] = bi;
                    }
                }
            }
        });
    }

    public static void maxBackward(double[] dy, int[] indices, int n, int c, int h, int w, int oh, int ow, double[] dx) {
        Checks.positive("Pool2d.maxBackward", n, c, h, w, oh, ow);
        lengths("Pool2d.maxBackward", n, c, h, w, oh, ow, dx == null ? -1 : dx.length, dy == null ? -1 : dy.length,
                indices == null ? -1 : indices.length, "dx", "dy");
        int hw = h * w, op = oh * ow;
        Parallel.forRange(n * c, Math.max(1, 8192 / op), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int xo = pl * hw, yo = pl * op;
                Arrays.fill(dx, xo, xo + hw, 0.0);
                for (int i = 0; i < op; i++) {
                    int idx = indices[yo + i];
                    if (idx < 0 || idx >= hw) throw badIndex(idx, n, c, h, w);
                    dx[xo + idx] += dy[yo + i];
                }
            }
        });
    }

    private static IllegalArgumentException badIndex(int idx, int n, int c, int h, int w) {
        return new IllegalArgumentException("Pool2d.maxBackward: index " + idx + " outside the " + Checks.dims(h, w)
                + " plane of input " + Checks.dims(n, c, h, w));
    }

    /** Validates the window; returns {oh, ow}. Padding may be at most half the kernel, as in torch. */
    static int[] check(String what, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                       int dh, int dw) {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0
                || ph < 0 || pw < 0) {
            throw new IllegalArgumentException(what + ": invalid sizes: input " + Checks.dims(n, c, h, w) + ", kernel "
                    + Checks.dims(kh, kw) + ", stride " + Checks.dims(sh, sw) + ", padding " + Checks.dims(ph, pw)
                    + ", dilation " + Checks.dims(dh, dw) + " (all must be positive, padding non-negative)");
        }
        if (ph > kh / 2 || pw > kw / 2) {
            throw new IllegalArgumentException(what + ": padding " + Checks.dims(ph, pw)
                    + " must be at most half the kernel " + Checks.dims(kh, kw));
        }
        return Checks.windowOutput(what, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
    }

    private static void lengths(String what, int n, int c, int h, int w, int oh, int ow, int inLen, int outLen,
                                int idxLen, String inName, String outName) {
        if (inLen < 0 || outLen < 0 || idxLen < 0) {
            throw new IllegalArgumentException(what + ": arrays must not be null (input " + Checks.dims(n, c, h, w) + ")");
        }
        Checks.length(what, inName, inLen, (long) n * c * h * w, inName + " " + Checks.dims(n, c, h, w));
        Checks.length(what, outName, outLen, (long) n * c * oh * ow, outName + " " + Checks.dims(n, c, oh, ow));
        Checks.length(what, "indices", idxLen, (long) n * c * oh * ow, "indices " + Checks.dims(n, c, oh, ow));
    }
}
