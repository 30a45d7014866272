package org.wpunet.core.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.wpunet.core.cpu.Parallel;

/**
 * Direct SIMD 3x3 convolution, stride 1, padding 1, dilation 1 (only loaded when SIMD is on), for
 * thin layers: few output channels on large images, where the implicit GEMM spends as long
 * lowering each 32-pixel panel of the column matrix (K = 9c floats per pixel) as multiplying it.
 * Here nothing is lowered: the input is copied once into a zero-bordered buffer ((h+2) x (w+2) per
 * plane), and each output row is computed in register tiles of 4 output channels x 4 vectors of
 * pixels: per input channel and tap, 4 unaligned row loads and 4 weight broadcasts feed 16 FMAs,
 * {@code y[o, r, q] = bias[o] + sum_{ci, ki, kj} w[o, ci, ki, kj] * xp[ci, r + ki, q + kj]}.
 * Each output element sums the same terms as the GEMM paths, in the order ci, ki, kj (fma).
 * The stride-1 input gradient, a forward convolution of dy with the flipped kernel, takes this path
 * too (see {@link Conv2dKernels#backwardInputImpl}).
 */
final class Conv3x3Direct {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output channels and pixel vectors of one register tile. */
    private static final int OB = 4, VB = 4;

    private Conv3x3Direct() {}

    /**
     * Whether the direct kernel is the faster path (measured on WPU-Net's layers: images at least
     * 64 wide, at most 64 output channels; deeper layers keep the implicit GEMM, whose packed
     * weights are reused across many more output channels).
     */
    static boolean applies(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int h, int w, int oc) {
        return kh == 3 && kw == 3 && sh == 1 && sw == 1 && ph == 1 && pw == 1 && dh == 1 && dw == 1
                && w >= 4 * L && h >= 2 && oc <= 64;
    }

    static void forward(float[] x, int n, int c, int h, int w, float[] wt, int oc, float[] bias, float[] y) {
        int wp = w + 2, plane = (h + 2) * wp;
        float[] xp = padded(x, n, c, h, w);
        int oBlocks = (oc + OB - 1) / OB;
        // one task: one output row of one image, all output channels (the c x 3 input rows stay in cache)
        long work = (long) oc * c * 9 * w;
        Parallel.forRange(n * h, (int) Math.max(1, (1L << 20) / Math.max(1, work)), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int b = t / h, r = t % h;
                int xRow = b * c * plane + r * wp; // padded row r holds input row r - 1: the ki = 0 tap
                for (int ob = 0; ob < oBlocks; ob++) {
                    int o0 = ob * OB;
                    int q = 0;
                    for (; q + VB * L <= w; q += VB * L) tile4(xp, xRow, plane, wp, c, wt, oc, o0, bias, y, b, h, w, r, q);
                    for (; q < w; q += L) tile1(xp, xRow, plane, wp, c, wt, oc, o0, bias, y, b, h, w, r, q);
                }
            }
        });
    }

    /**
     * x [n*c planes of h x w] copied into planes of (h+2) x (w+2) with a zero border, plus L floats
     * of slack at the end so that a tail vector may read past the last row.
     */
    static float[] padded(float[] x, int n, int c, int h, int w) {
        int wp = w + 2, plane = (h + 2) * wp;
        float[] xp = new float[n * c * plane + L];
        Parallel.forRange(n * c, Math.max(1, 16384 / (h * w)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int r = 0; r < h; r++) System.arraycopy(x, (p * h + r) * w, xp, p * plane + (r + 1) * wp + 1, w);
            }
        });
        return xp;
    }

    /** Output channel o0 + j, clamped to oc - 1 (the tile's surplus channels are computed, not stored). */
    private static int ch(int o0, int j, int oc) { return Math.min(o0 + j, oc - 1); }

    private static void tile4(float[] xp, int xRow, int plane, int wp, int c, float[] wt, int oc, int o0, float[] bias,
                              float[] y, int b, int h, int w, int r, int q) {
        int c0 = ch(o0, 0, oc), c1 = ch(o0, 1, oc), c2 = ch(o0, 2, oc), c3 = ch(o0, 3, oc);
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        a00 = a01 = a02 = a03 = FloatVector.broadcast(S, bias == null ? 0f : bias[c0]);
        a10 = a11 = a12 = a13 = FloatVector.broadcast(S, bias == null ? 0f : bias[c1]);
        a20 = a21 = a22 = a23 = FloatVector.broadcast(S, bias == null ? 0f : bias[c2]);
        a30 = a31 = a32 = a33 = FloatVector.broadcast(S, bias == null ? 0f : bias[c3]);
        int cs = c * 9;
        for (int ci = 0; ci < c; ci++) {
            int xb = xRow + ci * plane + q, w0 = c0 * cs + ci * 9, w1 = c1 * cs + ci * 9, w2 = c2 * cs + ci * 9, w3 = c3 * cs + ci * 9;
            for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                    int xi = xb + ki * wp + kj, k = ki * 3 + kj;
                    FloatVector x0 = FloatVector.fromArray(S, xp, xi), x1 = FloatVector.fromArray(S, xp, xi + L);
                    FloatVector x2 = FloatVector.fromArray(S, xp, xi + 2 * L), x3 = FloatVector.fromArray(S, xp, xi + 3 * L);
                    FloatVector v = FloatVector.broadcast(S, wt[w0 + k]);
                    a00 = x0.fma(v, a00); a01 = x1.fma(v, a01); a02 = x2.fma(v, a02); a03 = x3.fma(v, a03);
                    v = FloatVector.broadcast(S, wt[w1 + k]);
                    a10 = x0.fma(v, a10); a11 = x1.fma(v, a11); a12 = x2.fma(v, a12); a13 = x3.fma(v, a13);
                    v = FloatVector.broadcast(S, wt[w2 + k]);
                    a20 = x0.fma(v, a20); a21 = x1.fma(v, a21); a22 = x2.fma(v, a22); a23 = x3.fma(v, a23);
                    v = FloatVector.broadcast(S, wt[w3 + k]);
                    a30 = x0.fma(v, a30); a31 = x1.fma(v, a31); a32 = x2.fma(v, a32); a33 = x3.fma(v, a33);
                }
            }
        }
        int hw = h * w, base = (b * oc) * hw + r * w + q;
        store4(y, base + o0 * hw, a00, a01, a02, a03);
        if (o0 + 1 < oc) store4(y, base + (o0 + 1) * hw, a10, a11, a12, a13);
        if (o0 + 2 < oc) store4(y, base + (o0 + 2) * hw, a20, a21, a22, a23);
        if (o0 + 3 < oc) store4(y, base + (o0 + 3) * hw, a30, a31, a32, a33);
    }

    private static void store4(float[] y, int at, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        v0.intoArray(y, at);
        v1.intoArray(y, at + L);
        v2.intoArray(y, at + 2 * L);
        v3.intoArray(y, at + 3 * L);
    }

    /** One vector of pixels (masked at the row's end) for 4 output channels. */
    private static void tile1(float[] xp, int xRow, int plane, int wp, int c, float[] wt, int oc, int o0, float[] bias,
                              float[] y, int b, int h, int w, int r, int q) {
        int c0 = ch(o0, 0, oc), c1 = ch(o0, 1, oc), c2 = ch(o0, 2, oc), c3 = ch(o0, 3, oc);
        FloatVector a0 = FloatVector.broadcast(S, bias == null ? 0f : bias[c0]);
        FloatVector a1 = FloatVector.broadcast(S, bias == null ? 0f : bias[c1]);
        FloatVector a2 = FloatVector.broadcast(S, bias == null ? 0f : bias[c2]);
        FloatVector a3 = FloatVector.broadcast(S, bias == null ? 0f : bias[c3]);
        int cs = c * 9;
        for (int ci = 0; ci < c; ci++) {
            int xb = xRow + ci * plane + q, w0 = c0 * cs + ci * 9, w1 = c1 * cs + ci * 9, w2 = c2 * cs + ci * 9, w3 = c3 * cs + ci * 9;
            for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                    int k = ki * 3 + kj;
                    FloatVector x0 = FloatVector.fromArray(S, xp, xb + ki * wp + kj);
                    a0 = x0.fma(FloatVector.broadcast(S, wt[w0 + k]), a0);
                    a1 = x0.fma(FloatVector.broadcast(S, wt[w1 + k]), a1);
                    a2 = x0.fma(FloatVector.broadcast(S, wt[w2 + k]), a2);
                    a3 = x0.fma(FloatVector.broadcast(S, wt[w3 + k]), a3);
                }
            }
        }
        VectorMask<Float> m = S.indexInRange(q, w);
        int hw = h * w, base = (b * oc) * hw + r * w + q;
        a0.intoArray(y, base + o0 * hw, m);
        if (o0 + 1 < oc) a1.intoArray(y, base + (o0 + 1) * hw, m);
        if (o0 + 2 < oc) a2.intoArray(y, base + (o0 + 2) * hw, m);
        if (o0 + 3 < oc) a3.intoArray(y, base + (o0 + 3) * hw, m);
    }
}
