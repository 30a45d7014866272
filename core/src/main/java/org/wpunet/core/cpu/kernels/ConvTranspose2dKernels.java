package org.wpunet.core.cpu.kernels;

import java.util.Arrays;
import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.cpu.Simd;

/**
 * 2-d transposed convolution (groups = 1), NCHW, PyTorch semantics. Input x is {@code n x c x h x w},
 * weight {@code c x oc x kh x kw}, output {@code n x oc x H x W} with
 * {@code H = (h-1)*sh - 2ph + dh*(kh-1) + oph + 1} (likewise W) and
 * {@code y[b, o, r*sh - ph + ki*dh, q*sw - pw + kj*dw] += x[b, ci, r, q] * w[ci, o, ki, kj]} (+ bias[o]).
 *
 * <p>It is the adjoint of a convolution with the same weight: forward is Conv2d's input gradient,
 * the input gradient is Conv2d's forward, the weight gradient is Conv2d's weight gradient with the
 * roles of x and dy swapped. Fast path for kernel == stride, no padding, no dilation (WPU-Net's
 * 2x2 stride-2 up-sampling): the output pixels of different taps never overlap, so
 * {@code T[(o,ki,kj) x pixels] = W^T x} is one GEMM followed by a permuting copy (no scatter-add).
 */
public final class ConvTranspose2dKernels {
    private ConvTranspose2dKernels() {}

    // ---------------------------------------------------------------------------------- float

    public static void forward(float[] x, int n, int c, int h, int w, float[] weight, int oc, int kh, int kw,
                               float[] bias, int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, float[] y) {
        int[] o = check("ConvTranspose2d.forward", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw);
        lengths("ConvTranspose2d.forward", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(x), Conv2dKernels.len(weight),
                bias == null ? -1 : bias.length, Conv2dKernels.len(y), "x", "y");
        int oH = o[0], oW = o[1];
        if (kh == sh && kw == sw && ph == 0 && pw == 0 && dh == 1 && dw == 1) {
            forwardNonOverlapping(x, n, c, h, w, weight, oc, kh, kw, bias, oph, opw, oH, oW, y, 0, oc * oH * oW);
            return;
        }
        Conv2dKernels.backwardInputImpl(x, weight, n, oc, oH, oW, c, kh, kw, sh, sw, ph, pw, dh, dw, h, w, y);
        if (bias != null) {
            int p = oH * oW;
            Parallel.forRange(n * oc, Math.max(1, 16384 / p), (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    float bv = bias[t % oc];
                    for (int i = t * p, e = i + p; i < e; i++) y[i] += bv;
                }
            });
        }
    }

    public static void backwardInput(float[] dy, float[] weight, int n, int c, int h, int w, int oc, int kh, int kw,
                                     int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, float[] dx) {
        int[] o = check("ConvTranspose2d.backwardInput", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw);
        lengths("ConvTranspose2d.backwardInput", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(dx),
                Conv2dKernels.len(weight), -1, Conv2dKernels.len(dy), "dx", "dy");
        Conv2dKernels.forwardImpl(dy, n, oc, o[0], o[1], weight, c, kh, kw, null, sh, sw, ph, pw, dh, dw, h, w, dx);
    }

    public static void backwardWeight(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                      int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw,
                                      float[] dWeight, float[] dBias) {
        int[] o = check("ConvTranspose2d.backwardWeight", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw);
        lengths("ConvTranspose2d.backwardWeight", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(x),
                Conv2dKernels.len(dWeight), dBias == null ? -1 : dBias.length, Conv2dKernels.len(dy), "x", "dy");
        // dW[ci, o, ki, kj] = sum x[b, ci, r, q] * dy[b, o, iy, ix]: Conv2d's weight gradient with
        // input dy (oc channels, H x W) and output gradient x (c channels, h x w).
        Conv2dKernels.backwardWeightImpl(dy, x, n, oc, o[0], o[1], c, kh, kw, sh, sw, ph, pw, dh, dw, h, w, dWeight, null);
        if (dBias != null) Conv2dKernels.biasGrad(dy, n, oc, o[0] * o[1], dBias);
    }

    /**
     * {@link #forward} with kernel == stride {@code k}, no padding, dilation or output padding (the
     * U-Net up-sampling), writing into channels {@code [channelOffset, channelOffset + oc)} of
     * {@code y [n, yChannels, h*k, w*k]}: the decoder's concatenation buffer, so the result needs no
     * array of its own and no copy. Other channels of y are left as they are.
     */
    public static void forwardInto(float[] x, int n, int c, int h, int w, float[] weight, int oc, int k, float[] bias,
                                   float[] y, int yChannels, int channelOffset) {
        int[] o = check("ConvTranspose2d.forwardInto", n, c, h, w, oc, k, k, k, k, 0, 0, 0, 0, 1, 1);
        if (channelOffset < 0 || channelOffset + oc > yChannels) {
            throw new IllegalArgumentException("ConvTranspose2d.forwardInto: channels [" + channelOffset + ", " + (channelOffset + oc)
                    + ") do not fit an output of " + yChannels + " channels");
        }
        String what = "ConvTranspose2d.forwardInto";
        Checks.notNull(what, "x", x);
        Checks.notNull(what, "weight", weight);
        Checks.notNull(what, "y", y);
        Checks.length(what, "x", x.length, (long) n * c * h * w, "x " + Checks.dims(n, c, h, w));
        Checks.length(what, "weight", weight.length, (long) c * oc * k * k, "weight " + Checks.dims(c, oc, k, k));
        if (bias != null) Checks.length(what, "bias", bias.length, oc, "bias " + oc);
        Checks.length(what, "y", y.length, (long) n * yChannels * o[0] * o[1], "y " + Checks.dims(n, yChannels, o[0], o[1]));
        int plane = o[0] * o[1];
        forwardNonOverlapping(x, n, c, h, w, weight, oc, k, k, bias, 0, 0, o[0], o[1], y, channelOffset * plane, yChannels * plane);
    }

    /**
     * kernel == stride, no padding/dilation: per image and band of input rows,
     * {@code T = W^T[(oc*kh*kw) x c] * x[c x pixels]}, then
     * {@code y[o, r*kh + ki, q*kw + kj] = T[(o*kh + ki)*kw + kj, r*w + q] + bias[o]}; image b's
     * channel 0 starts at {@code y[yOffset + b * yBatchStride]}.
     */
    private static void forwardNonOverlapping(float[] x, int n, int c, int h, int w, float[] wt, int oc, int kh, int kw,
                                              float[] bias, int oph, int opw, int oH, int oW, float[] y, int yOffset,
                                              int yBatchStride) {
        int m = oc * kh * kw, outPlane = oH * oW;
        int band = Im2col.bandRows(m, h, w, Conv2dKernels.COL_BUDGET);
        float[] t = Scratch.floats(Scratch.CONV_TMP, m * band * w);
        boolean padded = oph > 0 || opw > 0; // output-padding rows/columns only receive the bias
        for (int b = 0; b < n; b++) {
            int xImg = b * c * h * w, yImg = yOffset + b * yBatchStride;
            if (padded) {
                for (int o = 0; o < oc; o++) {
                    Arrays.fill(y, yImg + o * outPlane, yImg + (o + 1) * outPlane, bias == null ? 0f : bias[o]);
                }
            }
            for (int r0 = 0; r0 < h; r0 += band) {
                int r1 = Math.min(h, r0 + band), pb = (r1 - r0) * w, rowStart = r0;
                Sgemm.gemm(true, false, m, pb, c, 1f, wt, 0, m, x, xImg + r0 * w, h * w, 0f, t, 0, pb);
                Parallel.forRange(oc, Math.max(1, 16384 / (kh * kw * pb)), (o0, o1) -> {
                    for (int o = o0; o < o1; o++) {
                        float bv = bias == null ? 0f : bias[o];
                        int yPlane = yImg + o * outPlane;
                        for (int ki = 0; ki < kh; ki++) {
                            if (kw == 2) {
                                // the two taps of an output row interleave: y[2q] from tap 0, y[2q + 1] from tap 1
                                int src = (o * kh + ki) * 2 * pb;
                                for (int r = rowStart; r < r1; r++, src += w) {
                                    interleave(t, src, src + pb, bv, y, yPlane + (r * kh + ki) * oW, w);
                                }
                                continue;
                            }
                            for (int kj = 0; kj < kw; kj++) {
                                int src = ((o * kh + ki) * kw + kj) * pb;
                                for (int r = rowStart; r < r1; r++, src += w) {
                                    int dst = yPlane + (r * kh + ki) * oW + kj;
                                    for (int q = 0; q < w; q++) y[dst + q * kw] = t[src + q] + bv;
                                }
                            }
                        }
                    }
                });
            }
        }
    }

    /** y[dst + 2q] = t[a + q] + bias, y[dst + 2q + 1] = t[b + q] + bias for q < w (SIMD zips when on). */
    static void interleave(float[] t, int a, int b, float bias, float[] y, int dst, int w) {
        int q = Simd.enabled() ? ConvTransposeVector.interleave(t, a, b, bias, y, dst, w) : 0;
        for (; q < w; q++) {
            y[dst + 2 * q] = t[a + q] + bias;
            y[dst + 2 * q + 1] = t[b + q] + bias;
        }
    }

    // ---------------------------------------------------------------------------------- double

    public static void forward(double[] x, int n, int c, int h, int w, double[] weight, int oc, int kh, int kw,
                               double[] bias, int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, double[] y) {
        int[] o = check("ConvTranspose2d.forward", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw);
        lengths("ConvTranspose2d.forward", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(x), Conv2dKernels.len(weight),
                bias == null ? -1 : bias.length, Conv2dKernels.len(y), "x", "y");
        Conv2dKernels.backwardInputImpl(x, weight, n, oc, o[0], o[1], c, kh, kw, sh, sw, ph, pw, dh, dw, h, w, y);
        if (bias != null) {
            int p = o[0] * o[1];
            for (int t = 0; t < n * oc; t++) {
                double bv = bias[t % oc];
                for (int i = t * p, e = i + p; i < e; i++) y[i] += bv;
            }
        }
    }

    public static void backwardInput(double[] dy, double[] weight, int n, int c, int h, int w, int oc, int kh, int kw,
                                     int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, double[] dx) {
        int[] o = check("ConvTranspose2d.backwardInput", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw);
        lengths("ConvTranspose2d.backwardInput", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(dx),
                Conv2dKernels.len(weight), -1, Conv2dKernels.len(dy), "dx", "dy");
        Conv2dKernels.forwardImpl(dy, n, oc, o[0], o[1], weight, c, kh, kw, null, sh, sw, ph, pw, dh, dw, h, w, dx);
    }

    public static void backwardWeight(double[] x, double[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                      int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw,
                                      double[] dWeight, double[] dBias) {
        int[] o = check("ConvTranspose2d.backwardWeight", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw);
        lengths("ConvTranspose2d.backwardWeight", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(x),
                Conv2dKernels.len(dWeight), dBias == null ? -1 : dBias.length, Conv2dKernels.len(dy), "x", "dy");
        Conv2dKernels.backwardWeightImpl(dy, x, n, oc, o[0], o[1], c, kh, kw, sh, sw, ph, pw, dh, dw, h, w, dWeight, null);
        if (dBias != null) {
            int p = o[0] * o[1];
            for (int oo = 0; oo < oc; oo++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    for (int i = (b * oc + oo) * p, e = i + p; i < e; i++) s += dy[i];
                }
                dBias[oo] = s;
            }
        }
    }

    // ---------------------------------------------------------------------------------- checks

    /** Output size of a transposed convolution along one axis. */
    static int outSize(int in, int k, int s, int p, int op, int d) {
        long v = (long) (in - 1) * s - 2L * p + (long) d * (k - 1) + op + 1;
        return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
    }

    /** Validates the geometry; returns {H, W}. */
    static int[] check(String what, int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw,
                       int ph, int pw, int oph, int opw, int dh, int dw) {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || oc <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0
                || dh <= 0 || dw <= 0 || ph < 0 || pw < 0 || oph < 0 || opw < 0) {
            throw new IllegalArgumentException(what + ": invalid sizes: input " + Checks.dims(n, c, h, w)
                    + ", out channels " + oc + ", kernel " + Checks.dims(kh, kw) + ", stride " + Checks.dims(sh, sw)
                    + ", padding " + Checks.dims(ph, pw) + ", output padding " + Checks.dims(oph, opw)
                    + ", dilation " + Checks.dims(dh, dw) + " (all must be positive, paddings non-negative)");
        }
        if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
            throw new IllegalArgumentException(what + ": output padding " + Checks.dims(oph, opw)
                    + " must be smaller than stride " + Checks.dims(sh, sw) + " or dilation " + Checks.dims(dh, dw));
        }
        int oH = outSize(h, kh, sh, ph, oph, dh), oW = outSize(w, kw, sw, pw, opw, dw);
        if (oH <= 0 || oW <= 0) {
            throw new IllegalArgumentException(what + ": output size " + Checks.dims(oH, oW) + " is non-positive for input "
                    + Checks.dims(h, w) + ", kernel " + Checks.dims(kh, kw) + ", stride " + Checks.dims(sh, sw)
                    + ", padding " + Checks.dims(ph, pw));
        }
        return new int[] {oH, oW};
    }

    static void lengths(String what, int n, int c, int h, int w, int oc, int kh, int kw, int[] o,
                        int inLen, int wLen, int biasLen, int outLen, String inName, String outName) {
        if (inLen == -2 || wLen == -2 || outLen == -2) {
            throw new IllegalArgumentException(what + ": arrays must not be null (input " + Checks.dims(n, c, h, w) + ")");
        }
        Checks.length(what, inName, inLen, (long) n * c * h * w, inName + " " + Checks.dims(n, c, h, w));
        Checks.length(what, "weight", wLen, (long) c * oc * kh * kw, "weight " + Checks.dims(c, oc, kh, kw));
        if (biasLen >= 0) Checks.length(what, "bias", biasLen, oc, "bias " + oc);
        Checks.length(what, outName, outLen, (long) n * oc * o[0] * o[1], outName + " " + Checks.dims(n, oc, o[0], o[1]));
    }
}
