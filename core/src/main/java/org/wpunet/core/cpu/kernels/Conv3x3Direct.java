package org.wpunet.core.cpu.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.wpunet.core.cpu.Parallel;

/**
 * Direct SIMD 3x3 convolution, stride 1, padding 1, dilation 1 (only loaded when SIMD is on), for
 * thin layers: few output channels on large images, where the implicit GEMM spends as long
 * lowering each 32-pixel panel of the column matrix (K = 9c floats per pixel) as multiplying it.
 * Here nothing is lowered: each task takes a strip of output rows, copies the input rows it reads into a
 * per-thread zero-bordered buffer ((rows+2) x (w+2) per channel, L2-resident; a whole padded copy of
 * the input cost a quarter of the kernel's time at 256^2), and each output row is computed in register tiles of 4 output channels x 4 vectors of
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
        forward(x, n, c, h, w, wt, oc, bias, null, null, y);
    }

    /**
     * With {@code scale} and {@code shift} (per output channel, or both null) the output is
     * {@code max(0, conv * scale + shift)}: inference batch norm and ReLU applied by {@link
     * BatchNormVector#affine} to each output row as soon as all its channels are stored, while they
     * are in L1, so the values are those of the unfused path and no second pass over y goes to memory.
     * (Applying it to the register tiles before their store made C2 box the tile's vectors: 10x slower.)
     */
    static void forward(float[] x, int n, int c, int h, int w, float[] wt, int oc, float[] bias, float[] scale,
                        float[] shift, float[] y) {
        int wp = w + 2, rows = stripRows(c, w, h), strips = (h + rows - 1) / rows, splane = (rows + 2) * wp;
        int oBlocks = (oc + OB - 1) / OB;
        // one task: a strip of output rows of one image, all output channels; its c x (rows + 2)
        // zero-bordered input rows are copied into a per-thread buffer that stays in L2
        long work = (long) oc * c * 9 * w * rows;
        Parallel.forRange(n * strips, (int) Math.max(1, (1L << 20) / Math.max(1, work)), (t0, t1) -> {
            float[] xs = Scratch.floats(Scratch.CONV_STRIP, c * splane + L);
            for (int t = t0; t < t1; t++) {
                int b = t / strips, r0 = (t % strips) * rows, r1 = Math.min(h, r0 + rows);
                fillStrip(x, b, c, h, w, r0, r1, xs, splane);
                for (int r = r0; r < r1; r++) {
                    int xRow = (r - r0) * wp; // strip row r - r0 holds input row r - 1: the ki = 0 tap
                    for (int ob = 0; ob < oBlocks; ob++) {
                        int o0 = ob * OB;
                        int q = 0;
                        for (; q + VB * L <= w; q += VB * L) tile4(xs, xRow, splane, wp, c, wt, oc, o0, bias, y, b, h, w, r, q);
                        for (; q < w; q += L) tile1(xs, xRow, splane, wp, c, wt, oc, o0, bias, y, b, h, w, r, q);
                    }
                    if (scale != null) {
                        // the row just stored (oc x w floats) is still in L1
                        for (int o = 0; o < oc; o++) {
                            BatchNormVector.affine(y, y, ((b * oc + o) * h + r) * w, w, scale[o], shift[o], true);
                        }
                    }
                }
            }
        });
    }

    /** Floats of one thread's strip buffer the strip height aims at (384 KiB: within a 1 MiB L2). */
    private static final int STRIP_BUDGET = 96 * 1024;

    /**
     * Output rows per strip: up to 8, fewer when c x (rows + 2) padded input rows would pass
     * {@link #STRIP_BUDGET}, at least 2 (the halo makes the copy (rows + 2) / rows of the input).
     */
    static int stripRows(int c, int w, int h) {
        long fit = STRIP_BUDGET / ((long) c * (w + 2)) - 2;
        return (int) Math.max(1, Math.min(h, Math.max(2, Math.min(8, fit))));
    }

    /**
     * Input rows r0 - 1 .. r1 of image b (all c channels) into xs as planes of (r1 - r0 + 2) rows
     * of w + 2 floats at stride splane, with a zero border: column 0, column w + 1, and the rows
     * outside the image. The floats after the last row are slack a masked tail vector may read.
     */
    static void fillStrip(float[] x, int b, int c, int h, int w, int r0, int r1, float[] xs, int splane) {
        int wp = w + 2;
        for (int ci = 0; ci < c; ci++) {
            int src = (b * c + ci) * h * w;
            for (int i = 0; i < r1 - r0 + 2; i++) {
                int row = r0 - 1 + i, dst = ci * splane + i * wp;
                if (row < 0 || row >= h) {
                    Arrays.fill(xs, dst, dst + wp, 0f);
                } else {
                    xs[dst] = 0f;
                    System.arraycopy(x, src + row * w, xs, dst + 1, w);
                    xs[dst + w + 1] = 0f;
                }
            }
        }
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
