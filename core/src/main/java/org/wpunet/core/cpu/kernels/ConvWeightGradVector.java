package org.wpunet.core.cpu.kernels;

import java.util.Arrays;
import org.wpunet.core.cpu.Parallel;

/**
 * SIMD convolution weight gradient (only loaded when SIMD is on), computed transposed so that the
 * register-tiled SGEMM micro-kernel applies: {@code dW^T[K x oc] = sum_pixels col[K x P] * dy^T[P x oc]}
 * with K = c*kh*kw. Per image, dy is packed once into NR-wide panels of dy^T
 * ({@code dyT[(jp*P + p)*NR + j] = dy[jp*NR + j, p]}); each task owns a range of MR-row panels of
 * K (so of dW^T: no write conflicts) and, per block of output rows, lowers its MR rows of the
 * column matrix (plain im2col rows, which the micro-kernel broadcasts from directly) and
 * multiplies them with the cache-resident dy^T block. A dot-product (NT) formulation needs no
 * packing at all but ran at about a third of the micro-kernel's rate.
 */
final class ConvWeightGradVector {
    private ConvWeightGradVector() {}

    /** Target pixels per block (the GEMM depth of one micro-kernel call). */
    private static final int BLOCK_PIXELS = 512;

    static void backwardWeight(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                               int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, float[] dWeight) {
        int mr = SgemmVector.MR, nr = SgemmVector.NR;
        int k = c * kh * kw, p = oh * ow, oPanels = (oc + nr - 1) / nr, kPanels = (k + mr - 1) / mr;
        int band = Math.max(1, Math.min(oh, BLOCK_PIXELS / ow));
        float[] dyT = Scratch.floats(Scratch.CONV_TMP, oPanels * p * nr);
        float[] dwT = new float[k * oc];
        for (int b = 0; b < n; b++) {
            int dyImg = b * oc * p, xImg = b * c * h * w;
            // dy^T panels: dyT[(jp*P + t)*NR + j] = dy[jp*NR + j, t], zero for channels >= oc
            Parallel.forRange(oPanels * nr, Math.max(1, 65536 / p), (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    int jp = o / nr, j = o % nr, dst = jp * p * nr + j;
                    if (o >= oc) {
                        for (int t = 0; t < p; t++) dyT[dst + t * nr] = 0f;
                    } else {
                        int src = dyImg + o * p;
                        for (int t = 0; t < p; t++) dyT[dst + t * nr] = dy[src + t];
                    }
                }
            });
            int grain = Math.max(1, (int) Math.min(kPanels, (1L << 22) / Math.max(1L, (long) mr * p * oc)));
            Parallel.forRange(kPanels, grain, (q0, q1) -> {
                float[] rows = new float[mr * band * ow];
                for (int r0 = 0; r0 < oh; r0 += band) {
                    int r1 = Math.min(oh, r0 + band), len = (r1 - r0) * ow;
                    for (int q = q0; q < q1; q++) {
                        int kr0 = q * mr, rowsHere = Math.min(mr, k - kr0);
                        for (int i = 0; i < rowsHere; i++) {
                            int kr = kr0 + i, ci = kr / (kh * kw), rem = kr % (kh * kw);
                            Im2col.row(x, xImg, ci, rem / kw, rem % kw, h, w, sh, sw, ph, pw, dh, dw, ow, r0, r1,
                                    rows, i * len);
                        }
                        if (rowsHere < mr) Arrays.fill(rows, rowsHere * len, mr * len, 0f);
                        SgemmVector.rowsTimesPanels(len, rowsHere, rows, 0, len, dyT, r0 * ow * nr, p * nr, oc,
                                dwT, kr0 * oc, oc);
                    }
                }
            });
        }
        // dW[o, kr] = dW^T[kr, o]
        Parallel.forRange(oc, Math.max(1, 65536 / k), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                for (int kr = 0; kr < k; kr++) dWeight[o * k + kr] = dwT[kr * oc + o];
            }
        });
    }
}
