package org.wpunet.core.cpu.kernels;

import java.util.Arrays;
import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.cpu.Simd;

/**
 * 2-d convolution (cross-correlation, groups = 1), NCHW, PyTorch semantics:
 * {@code y[b,o,r,q] = bias[o] + sum_{ci,ki,kj} w[o,ci,ki,kj] * x[b,ci, r*sh-ph+ki*dh, q*sw-pw+kj*dw]}
 * (zero outside the image), {@code oh = (h + 2ph - dh(kh-1) - 1)/sh + 1}, likewise ow.
 *
 * <p>Float, SIMD on: 3x3 layers (stride 1, padding 1) with at least 32 channels in and out and 32
 * tiles of 4x4 pixels use Winograd's F(4x4, 3x3) ({@link Winograd3x3}; {@link #setWinograd},
 * {@code -Dwpunet.winograd=auto|off|always}); other thin 3x3 layers on wide images use the direct
 * kernel {@link Conv3x3Direct}; otherwise forward is an implicit GEMM (each 32-pixel panel of the column matrix is
 * lowered straight into the micro-kernel's layout and multiplied at once, see
 * {@link #forwardPacked}) while the weights fit in L2, else banded im2col + blocked SGEMM; the
 * stride-1 input gradient is the forward convolution of dy with the flipped kernel; the weight
 * gradient is {@link ConvWeightGradVector}. Scalar path: per image and band of output rows,
 * im2col then SGEMM (see {@link Im2col}), {@code dcol = W^T dy} then col2im for dx (strided),
 * {@code dW += dy * col^T}; the band keeps the column buffer near {@link #COL_BUDGET} floats
 * whatever the image size. 1x1 stride-1 unpadded convolutions skip im2col.
 * Double: direct loops, parallel over disjoint outputs (used for float64 gradient checks).
 */
public final class Conv2dKernels {
    private Conv2dKernels() {}

    /** Column buffer budget in floats (4 MiB). */
    static final int COL_BUDGET = 1 << 20;

    /**
     * Largest weight matrix (floats) for the implicit-GEMM forward: it re-reads all packed weights
     * for every 32-pixel panel, which is only cheap while they stay in L2. Bigger layers use the
     * banded im2col + blocked SGEMM, whose A blocks are reused across many columns.
     */
    static final long IMPLICIT_MAX_WEIGHTS = 1L << 19;

    /** When the float 3x3 stride-1 convolutions (forward and input gradient) take {@link Winograd3x3}. */
    public enum Winograd {
        /** Where {@link Winograd3x3#applies} measured it faster (the default). */
        AUTO,
        /** Never. */
        OFF,
        /** On every 3x3, stride 1, padding 1, dilation 1 float convolution (benchmarks, tests). */
        ALWAYS
    }

    private static volatile Winograd winograd = winogradSetting();

    /** {@code -Dwpunet.winograd=auto|off|always}, default auto; a bad value is reported, not fatal. */
    private static Winograd winogradSetting() {
        String v = System.getProperty("wpunet.winograd", "auto");
        for (Winograd m : Winograd.values()) {
            if (m.name().equalsIgnoreCase(v.trim())) return m;
        }
        System.err.println("warning: -Dwpunet.winograd=" + v + " is not one of auto, off, always; using auto");
        return Winograd.AUTO;
    }

    /** Sets when the Winograd kernel is used (SIMD on only); returns the previous setting. */
    public static Winograd setWinograd(Winograd mode) {
        if (mode == null) throw new IllegalArgumentException("Conv2dKernels.setWinograd: mode must not be null");
        Winograd old = winograd;
        winograd = mode;
        return old;
    }

    // ---------------------------------------------------------------------------------- float API

    public static void forward(float[] x, int n, int c, int h, int w, float[] weight, int oc, int kh, int kw,
                               float[] bias, int sh, int sw, int ph, int pw, int dh, int dw, float[] y) {
        int[] o = check("Conv2d.forward", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        lengths("Conv2d.forward", n, c, h, w, oc, kh, kw, o, len(x), len(weight), bias == null ? -1 : bias.length,
                len(y), "x", "y");
        forwardImpl(x, n, c, h, w, weight, oc, kh, kw, bias, sh, sw, ph, pw, dh, dw, o[0], o[1], y);
    }

    public static void backwardInput(float[] dy, float[] weight, int n, int c, int h, int w, int oc, int kh, int kw,
                                     int sh, int sw, int ph, int pw, int dh, int dw, float[] dx) {
        int[] o = check("Conv2d.backwardInput", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        lengths("Conv2d.backwardInput", n, c, h, w, oc, kh, kw, o, len(dx), len(weight), -1, len(dy), "dx", "dy");
        backwardInputImpl(dy, weight, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, o[0], o[1], dx);
    }

    public static void backwardWeight(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                      int sh, int sw, int ph, int pw, int dh, int dw, float[] dWeight, float[] dBias) {
        int[] o = check("Conv2d.backwardWeight", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        lengths("Conv2d.backwardWeight", n, c, h, w, oc, kh, kw, o, len(x), len(dWeight),
                dBias == null ? -1 : dBias.length, len(dy), "x", "dy");
        backwardWeightImpl(x, dy, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, o[0], o[1], dWeight, dBias);
    }

    // ---------------------------------------------------------------------------------- float implementation
    // The *Impl methods take the output size explicitly so that ConvTranspose2d (whose input is
    // this convolution's output) can reuse them with its own size rule.

    /** Whether the float forward of this geometry takes {@link Winograd3x3}. */
    static boolean takesWinograd(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        return Simd.enabled() && winograd != Winograd.OFF && Winograd3x3.geometry(kh, kw, sh, sw, ph, pw, dh, dw)
                && (winograd == Winograd.ALWAYS || Winograd3x3.applies(n, c, h, w, oc));
    }

    /** Whether the float forward of this geometry takes {@link Conv3x3Direct}. */
    static boolean takesDirect(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        return !takesWinograd(n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw) && Simd.enabled()
                && Conv3x3Direct.applies(kh, kw, sh, sw, ph, pw, dh, dw, h, w, oc);
    }

    static boolean pointwise(int kh, int kw, int sh, int sw, int ph, int pw, int h, int w, int oh, int ow) {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == w;
    }

    static void forwardImpl(float[] x, int n, int c, int h, int w, float[] wt, int oc, int kh, int kw, float[] bias,
                            int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, float[] y) {
        int k = c * kh * kw, p = oh * ow;
        boolean direct = pointwise(kh, kw, sh, sw, ph, pw, h, w, oh, ow);
        if (takesWinograd(n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw)) {
            Winograd3x3.forward(x, n, c, h, w, wt, oc, bias, y);
            return;
        }
        if (Simd.enabled() && Conv3x3Direct.applies(kh, kw, sh, sw, ph, pw, dh, dw, h, w, oc)) {
            Conv3x3Direct.forward(x, n, c, h, w, wt, oc, bias, y);
            return;
        }
        if (!direct && Simd.enabled() && (long) oc * k <= IMPLICIT_MAX_WEIGHTS) {
            forwardPacked(x, n, c, h, w, wt, oc, kh, kw, bias, sh, sw, ph, pw, dh, dw, oh, ow, y);
            return;
        }
        int band = direct ? oh : Im2col.bandRows(k, oh, ow, COL_BUDGET);
        float[] col = direct ? null : Scratch.floats(Scratch.CONV_COL, k * band * ow);
        for (int b = 0; b < n; b++) {
            int xImg = b * c * h * w, yImg = b * oc * p;
            for (int r0 = 0; r0 < oh; r0 += band) {
                int r1 = Math.min(oh, r0 + band), pb = (r1 - r0) * ow, yo = yImg + r0 * ow;
                if (bias != null) {
                    for (int o = 0; o < oc; o++) Arrays.fill(y, yo + o * p, yo + o * p + pb, bias[o]);
                }
                float beta = bias != null ? 1f : 0f;
                if (direct) {
                    Sgemm.gemm(false, false, oc, pb, k, 1f, wt, 0, k, x, xImg + r0 * ow, p, beta, y, yo, p);
                } else {
                    Im2col.im2col(x, xImg, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ow, r0, r1, col);
                    Sgemm.gemm(false, false, oc, pb, k, 1f, wt, 0, k, col, 0, pb, beta, y, yo, p);
                }
            }
        }
    }

    /**
     * SIMD forward (implicit GEMM): the weights are packed into GEMM A-panels once per call; each
     * task lowers one NR-pixel panel of the column matrix straight into the micro-kernel's B
     * layout (K x NR floats, cache-resident) and multiplies it at once. The column matrix is
     * never materialised, so memory stays O(K * NR) per thread and nothing is re-packed.
     */
    private static void forwardPacked(float[] x, int n, int c, int h, int w, float[] wt, int oc, int kh, int kw,
                                      float[] bias, int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow,
                                      float[] y) {
        int k = c * kh * kw, p = oh * ow, nr = SgemmVector.NR, mr = SgemmVector.MR;
        float[] ap = Scratch.floats(Scratch.CONV_WPACK, (oc + mr - 1) / mr * mr * k);
        SgemmVector.packAFull(wt, 0, k, oc, k, ap);
        int panels = (p + nr - 1) / nr;
        // panels per task: enough multiply-adds per task to amortise the fork (>= ~2M)
        int grain = (int) Math.max(1, Math.min(64, (1L << 21) / Math.max(1L, (long) oc * k * nr)));
        Parallel.forRange(n * panels, grain, (t0, t1) -> {
            float[] bp = Scratch.floats(Scratch.CONV_COL, k * nr);
            for (int t = t0; t < t1; t++) {
                int b = t / panels, jp = t % panels, yImg = b * oc * p;
                Im2col.packPanel(x, b * c * h * w, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, jp, nr, bp, 0);
                if (bias != null) {
                    int from = jp * nr, to = Math.min(p, from + nr);
                    for (int o = 0; o < oc; o++) Arrays.fill(y, yImg + o * p + from, yImg + o * p + to, bias[o]);
                }
                SgemmVector.gemmPanel(oc, p, k, ap, bp, 0, jp, y, yImg, p, bias != null);
            }
        });
    }

    static void backwardInputImpl(float[] dy, float[] wt, int n, int c, int h, int w, int oc, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, float[] dx) {
        int k = c * kh * kw, p = oh * ow;
        boolean direct = pointwise(kh, kw, sh, sw, ph, pw, h, w, oh, ow);
        if (!direct && sh == 1 && sw == 1 && ph <= dh * (kh - 1) && pw <= dw * (kw - 1)) {
            // Stride 1: dx is a forward convolution of dy with the kernel flipped and in/out channels
            // swapped, W'[ci, o, kh-1-ki, kw-1-kj] = W[o, ci, ki, kj], padding d*(k-1) - p:
            // dx[ci, iy, ix] = sum dy[o, iy + ph - ki*dh, ix + pw - kj*dw] W[o, ci, ki, kj]. No col2im.
            float[] flipped = Scratch.floats(Scratch.CONV_WFLIP, oc * k);
            int khw = kh * kw;
            // blocks of 16 input channels: per o, 16 reads of row o of W are contiguous and the 16
            // write streams each advance by khw (o innermost alone jumps oc*khw floats per write,
            // a TLB miss each for deep layers)
            Parallel.forRange((c + 15) / 16, Math.max(1, 65536 / (16 * oc * khw)), (b0, b1) -> {
                for (int ci0 = b0 * 16; ci0 < Math.min(c, b1 * 16); ci0 += 16) {
                    int ci1 = Math.min(c, ci0 + 16);
                    for (int o = 0; o < oc; o++) {
                        for (int ci = ci0; ci < ci1; ci++) {
                            int src = (o * c + ci) * khw, dst = (ci * oc + o) * khw;
                            for (int t = 0; t < khw; t++) flipped[dst + khw - 1 - t] = wt[src + t];
                        }
                    }
                }
            });
            forwardImpl(dy, n, oc, oh, ow, flipped, c, kh, kw, null, 1, 1, dh * (kh - 1) - ph, dw * (kw - 1) - pw,
                    dh, dw, h, w, dx);
            return;
        }
        int band = direct ? oh : Im2col.bandRows(k, oh, ow, COL_BUDGET);
        float[] col = direct ? null : Scratch.floats(Scratch.CONV_COL, k * band * ow);
        for (int b = 0; b < n; b++) {
            int dxImg = b * c * h * w, dyImg = b * oc * p;
            if (direct) {
                // dx[ci, :] = sum_o W[o, ci] dy[o, :]
                Sgemm.gemm(true, false, c, p, oc, 1f, wt, 0, c, dy, dyImg, p, 0f, dx, dxImg, p);
                continue;
            }
            Arrays.fill(dx, dxImg, dxImg + c * h * w, 0f);
            for (int r0 = 0; r0 < oh; r0 += band) {
                int r1 = Math.min(oh, r0 + band), pb = (r1 - r0) * ow;
                // dcol[K x pb] = W^T[K x oc] * dy[oc x pb]
                Sgemm.gemm(true, false, k, pb, oc, 1f, wt, 0, k, dy, dyImg + r0 * ow, p, 0f, col, 0, pb);
                Im2col.col2im(col, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ow, r0, r1, dx, dxImg);
            }
        }
    }

    static void backwardWeightImpl(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                   int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow,
                                   float[] dWeight, float[] dBias) {
        int k = c * kh * kw, p = oh * ow;
        if (Simd.enabled()) {
            ConvWeightGradVector.backwardWeight(x, dy, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dWeight);
            if (dBias != null) biasGrad(dy, n, oc, p, dBias);
            return;
        }
        boolean direct = pointwise(kh, kw, sh, sw, ph, pw, h, w, oh, ow);
        int band = direct ? oh : Im2col.bandRows(k, oh, ow, COL_BUDGET);
        float[] col = direct ? null : Scratch.floats(Scratch.CONV_COL, k * band * ow);
        boolean first = true;
        for (int b = 0; b < n; b++) {
            int xImg = b * c * h * w, dyImg = b * oc * p;
            for (int r0 = 0; r0 < oh; r0 += band) {
                int r1 = Math.min(oh, r0 + band), pb = (r1 - r0) * ow;
                float beta = first ? 0f : 1f;
                first = false;
                // dW[oc x K] += dy[oc x pb] * col[K x pb]^T
                if (direct) {
                    Sgemm.gemm(false, true, oc, k, pb, 1f, dy, dyImg + r0 * ow, p, x, xImg + r0 * ow, p, beta, dWeight, 0, k);
                } else {
                    Im2col.im2col(x, xImg, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ow, r0, r1, col);
                    Sgemm.gemm(false, true, oc, k, pb, 1f, dy, dyImg + r0 * ow, p, col, 0, pb, beta, dWeight, 0, k);
                }
            }
        }
        if (dBias != null) biasGrad(dy, n, oc, p, dBias);
    }

    /** dBias[o] = sum over images and pixels of dy[b, o, :] (accumulated in double). */
    static void biasGrad(float[] dy, int n, int oc, int p, float[] dBias) {
        Parallel.forRange(oc, Math.max(1, 65536 / Math.max(1, n * p)), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * oc + o) * p;
                    float part = 0f, part1 = 0f, part2 = 0f, part3 = 0f;
                    int i = 0;
                    // four independent float chains per row, folded into double per row
                    for (; i + 3 < p; i += 4) {
                        part += dy[base + i];
                        part1 += dy[base + i + 1];
                        part2 += dy[base + i + 2];
                        part3 += dy[base + i + 3];
                    }
                    for (; i < p; i++) part += dy[base + i];
                    s += (double) part + part1 + part2 + part3;
                }
                dBias[o] = (float) s;
            }
        });
    }

    // ---------------------------------------------------------------------------------- double API (direct)

    public static void forward(double[] x, int n, int c, int h, int w, double[] weight, int oc, int kh, int kw,
                               double[] bias, int sh, int sw, int ph, int pw, int dh, int dw, double[] y) {
        int[] o = check("Conv2d.forward", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        lengths("Conv2d.forward", n, c, h, w, oc, kh, kw, o, len(x), len(weight), bias == null ? -1 : bias.length,
                len(y), "x", "y");
        forwardImpl(x, n, c, h, w, weight, oc, kh, kw, bias, sh, sw, ph, pw, dh, dw, o[0], o[1], y);
    }

    public static void backwardInput(double[] dy, double[] weight, int n, int c, int h, int w, int oc, int kh, int kw,
                                     int sh, int sw, int ph, int pw, int dh, int dw, double[] dx) {
        int[] o = check("Conv2d.backwardInput", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        lengths("Conv2d.backwardInput", n, c, h, w, oc, kh, kw, o, len(dx), len(weight), -1, len(dy), "dx", "dy");
        backwardInputImpl(dy, weight, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, o[0], o[1], dx);
    }

    public static void backwardWeight(double[] x, double[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                      int sh, int sw, int ph, int pw, int dh, int dw, double[] dWeight, double[] dBias) {
        int[] o = check("Conv2d.backwardWeight", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        lengths("Conv2d.backwardWeight", n, c, h, w, oc, kh, kw, o, len(x), len(dWeight),
                dBias == null ? -1 : dBias.length, len(dy), "x", "dy");
        backwardWeightImpl(x, dy, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, o[0], o[1], dWeight, dBias);
    }

    /** Direct forward, one task per (image, output channel) plane. */
    static void forwardImpl(double[] x, int n, int c, int h, int w, double[] wt, int oc, int kh, int kw, double[] bias,
                            int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, double[] y) {
        int p = oh * ow;
        Parallel.forRange(n * oc, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int b = t / oc, o = t % oc, yo = t * p;
                Arrays.fill(y, yo, yo + p, bias == null ? 0.0 : bias[o]);
                for (int ci = 0; ci < c; ci++) {
                    int xPlane = (b * c + ci) * h * w;
                    for (int ki = 0; ki < kh; ki++) {
                        for (int kj = 0; kj < kw; kj++) {
                            double wv = wt[((o * c + ci) * kh + ki) * kw + kj];
                            int xo = kj * dw - pw;
                            int qlo = Im2col.validLo(xo, sw, ow), qhi = Im2col.validHi(xo, sw, w, ow, qlo);
                            for (int r = 0; r < oh; r++) {
                                int iy = r * sh - ph + ki * dh;
                                if (iy < 0 || iy >= h) continue;
                                int src = xPlane + iy * w + xo, dst = yo + r * ow;
                                for (int q = qlo; q < qhi; q++) y[dst + q] += wv * x[src + q * sw];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Direct input gradient, one task per (image, input channel) plane of dx (scatter within the plane). */
    static void backwardInputImpl(double[] dy, double[] wt, int n, int c, int h, int w, int oc, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, double[] dx) {
        int p = oh * ow;
        Parallel.forRange(n * c, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int b = t / c, ci = t % c, xo0 = t * h * w;
                Arrays.fill(dx, xo0, xo0 + h * w, 0.0);
                for (int o = 0; o < oc; o++) {
                    int dyPlane = (b * oc + o) * p;
                    for (int ki = 0; ki < kh; ki++) {
                        for (int kj = 0; kj < kw; kj++) {
                            double wv = wt[((o * c + ci) * kh + ki) * kw + kj];
                            int xo = kj * dw - pw;
                            int qlo = Im2col.validLo(xo, sw, ow), qhi = Im2col.validHi(xo, sw, w, ow, qlo);
                            for (int r = 0; r < oh; r++) {
                                int iy = r * sh - ph + ki * dh;
                                if (iy < 0 || iy >= h) continue;
                                int dst = xo0 + iy * w + xo, src = dyPlane + r * ow;
                                for (int q = qlo; q < qhi; q++) dx[dst + q * sw] += wv * dy[src + q];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Direct weight gradient, one task per (output, input) channel pair. */
    static void backwardWeightImpl(double[] x, double[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                   int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow,
                                   double[] dWeight, double[] dBias) {
        int p = oh * ow;
        Parallel.forRange(oc * c, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int o = t / c, ci = t % c;
                for (int ki = 0; ki < kh; ki++) {
                    for (int kj = 0; kj < kw; kj++) {
                        int xo = kj * dw - pw;
                        int qlo = Im2col.validLo(xo, sw, ow), qhi = Im2col.validHi(xo, sw, w, ow, qlo);
                        double s = 0;
                        for (int b = 0; b < n; b++) {
                            int xPlane = (b * c + ci) * h * w, dyPlane = (b * oc + o) * p;
                            for (int r = 0; r < oh; r++) {
                                int iy = r * sh - ph + ki * dh;
                                if (iy < 0 || iy >= h) continue;
                                int src = xPlane + iy * w + xo, g = dyPlane + r * ow;
                                for (int q = qlo; q < qhi; q++) s += dy[g + q] * x[src + q * sw];
                            }
                        }
                        dWeight[((o * c + ci) * kh + ki) * kw + kj] = s;
                    }
                }
            }
        });
        if (dBias != null) {
            for (int o = 0; o < oc; o++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * oc + o) * p;
                    for (int i = 0; i < p; i++) s += dy[base + i];
                }
                dBias[o] = s;
            }
        }
    }

    // ---------------------------------------------------------------------------------- checks

    static int len(float[] a) { return a == null ? -2 : a.length; }

    static int len(double[] a) { return a == null ? -2 : a.length; }

    /** Validates the geometry; returns {oh, ow}. */
    static int[] check(String what, int n, int c, int h, int w, int oc, int kh, int kw,
                       int sh, int sw, int ph, int pw, int dh, int dw) {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || oc <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0
                || dh <= 0 || dw <= 0 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException(what + ": invalid sizes: input " + Checks.dims(n, c, h, w)
                    + ", out channels " + oc + ", kernel " + Checks.dims(kh, kw) + ", stride " + Checks.dims(sh, sw)
                    + ", padding " + Checks.dims(ph, pw) + ", dilation " + Checks.dims(dh, dw)
                    + " (all must be positive, padding non-negative)");
        }
        return Checks.windowOutput(what, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
    }

    /** Array extents: the input-sized array, weight, optional bias-sized array, output-sized array. */
    static void lengths(String what, int n, int c, int h, int w, int oc, int kh, int kw, int[] o,
                        int inLen, int wLen, int biasLen, int outLen, String inName, String outName) {
        if (inLen == -2 || wLen == -2 || outLen == -2) {
            throw new IllegalArgumentException(what + ": arrays must not be null (input " + Checks.dims(n, c, h, w) + ")");
        }
        Checks.length(what, inName, inLen, (long) n * c * h * w, inName + " " + Checks.dims(n, c, h, w));
        Checks.length(what, "weight", wLen, (long) oc * c * kh * kw, "weight " + Checks.dims(oc, c, kh, kw));
        if (biasLen >= 0) Checks.length(what, "bias", biasLen, oc, "bias " + oc);
        Checks.length(what, outName, outLen, (long) n * oc * o[0] * o[1], outName + " " + Checks.dims(n, oc, o[0], o[1]));
    }
}
