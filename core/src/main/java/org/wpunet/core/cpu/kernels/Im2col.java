package org.wpunet.core.cpu.kernels;

import java.util.Arrays;
import org.wpunet.core.cpu.Parallel;

/**
 * Lowering of a convolution to GEMM for one image and a band of output rows [r0, r1).
 *
 * <p>The column matrix has one row per (ci, ki, kj) and one column per output pixel of the band:
 * {@code col[((ci*kh + ki)*kw + kj) * pb + (r - r0)*ow + q] = x[ci, r*sh - ph + ki*dh, q*sw - pw + kj*dw]}
 * (zero outside the image), with {@code pb = (r1 - r0) * ow}. Then the convolution of the band is
 * {@code y[:, band] = W[oc x c*kh*kw] * col}. {@link #col2im} is the adjoint (scatter-add), used for
 * the input gradient. Both split over input channels, which own disjoint rows of col and disjoint
 * planes of x, so the parallel col2im has no write conflicts.
 */
final class Im2col {
    private Im2col() {}

    static void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                       int dh, int dw, int ow, int r0, int r1, float[] col) {
        int pb = (r1 - r0) * ow;
        int grain = Math.max(1, 65536 / Math.max(1, kh * kw * pb));
        Parallel.forRange(c, grain, (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                for (int ki = 0; ki < kh; ki++) {
                    for (int kj = 0; kj < kw; kj++) {
                        row(x, xOff, ci, ki, kj, h, w, sh, sw, ph, pw, dh, dw, ow, r0, r1, col,
                                ((ci * kh + ki) * kw + kj) * pb);
                    }
                }
            }
        });
    }

    /**
     * One GEMM B-panel of the column matrix of one whole image: columns (output pixels)
     * [jp*nr, jp*nr + nr) of all K = c*kh*kw rows, in the micro-kernel's layout
     * {@code bp[base + row*nr + t] = col[row, jp*nr + t]}, zero-padded past the last pixel.
     * Built just before it is multiplied, so it never leaves the cache (implicit-GEMM lowering).
     */
    static void packPanel(float[] x, int xOff, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                          int dh, int dw, int oh, int ow, int jp, int nr, float[] bp, int base) {
        int j0 = jp * nr, len = Math.min(nr, oh * ow - j0);
        int r = j0 / ow, q0 = j0 % ow;
        if (q0 + len <= ow) {
            panelOneRow(x, xOff, c, h, w, kh, kw, sw, ph, pw, dh, dw, r * sh, q0, len, nr, bp, base);
        } else {
            panelGeneral(x, xOff, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ow, 0, j0, len, nr, bp, base);
        }
    }

    /** A panel whose pixels lie in one output row: per (ci, ki, kj) a strided run of one input row. */
    private static void panelOneRow(float[] x, int xOff, int c, int h, int w, int kh, int kw, int sw, int ph, int pw,
                                    int dh, int dw, int rs, int q0, int len, int nr, float[] bp, int dst) {
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                int iy = rs - ph + ki * dh;
                if (iy < 0 || iy >= h) {
                    Arrays.fill(bp, dst, dst + kw * nr, 0f);
                    dst += kw * nr;
                    continue;
                }
                int rowBase = xOff + (ci * h + iy) * w;
                for (int kj = 0; kj < kw; kj++, dst += nr) {
                    int ix0 = q0 * sw - pw + kj * dw; // input column of the panel's first pixel
                    int tlo = validLo(ix0, sw, len), thi = validHi(ix0, sw, w, len, tlo);
                    for (int t = 0; t < tlo; t++) bp[dst + t] = 0f;
                    int src = rowBase + ix0;
                    if (sw == 1) {
                        for (int t = tlo; t < thi; t++) bp[dst + t] = x[src + t];
                    } else {
                        for (int t = tlo; t < thi; t++) bp[dst + t] = x[src + t * sw];
                    }
                    for (int t = thi; t < nr; t++) bp[dst + t] = 0f;
                }
            }
        }
    }

    /** A panel that wraps across output rows: element by element. */
    private static void panelGeneral(float[] x, int xOff, int c, int h, int w, int kh, int kw, int sh, int sw, int ph,
                                     int pw, int dh, int dw, int ow, int r0, int j0, int len, int nr, float[] bp, int dst) {
        for (int ci = 0; ci < c; ci++) {
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++, dst += nr) {
                    for (int t = 0; t < len; t++) {
                        int j = j0 + t, r = r0 + j / ow, q = j % ow;
                        int iy = r * sh - ph + ki * dh, ix = q * sw - pw + kj * dw;
                        bp[dst + t] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[xOff + (ci * h + iy) * w + ix] : 0f;
                    }
                    for (int t = len; t < nr; t++) bp[dst + t] = 0f;
                }
            }
        }
    }

    /** One row (ci, ki, kj) of the column matrix for output rows [r0, r1), written at {@code dst}. */
    static void row(float[] x, int xOff, int ci, int ki, int kj, int h, int w, int sh, int sw, int ph, int pw,
                            int dh, int dw, int ow, int r0, int r1, float[] col, int dst) {
        int xo = kj * dw - pw;
        int qlo = validLo(xo, sw, ow), qhi = validHi(xo, sw, w, ow, qlo);
        for (int r = r0; r < r1; r++, dst += ow) {
            int iy = r * sh - ph + ki * dh;
            if (iy < 0 || iy >= h) {
                Arrays.fill(col, dst, dst + ow, 0f);
                continue;
            }
            if (qlo > 0) Arrays.fill(col, dst, dst + qlo, 0f);
            int src = xOff + (ci * h + iy) * w + xo;
            if (sw == 1) {
                System.arraycopy(x, src + qlo, col, dst + qlo, qhi - qlo);
            } else {
                for (int q = qlo; q < qhi; q++) col[dst + q] = x[src + q * sw];
            }
            if (qhi < ow) Arrays.fill(col, dst + qhi, dst + ow, 0f);
        }
    }

    /** dx[ci, iy, ix] += col[...]: the transpose of {@link #im2col}; dx must be initialised by the caller. */
    static void col2im(float[] col, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                       int dh, int dw, int ow, int r0, int r1, float[] dx, int dxOff) {
        int pb = (r1 - r0) * ow;
        int grain = Math.max(1, 65536 / Math.max(1, kh * kw * pb));
        Parallel.forRange(c, grain, (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                for (int ki = 0; ki < kh; ki++) {
                    for (int kj = 0; kj < kw; kj++) {
                        int src = ((ci * kh + ki) * kw + kj) * pb;
                        int xo = kj * dw - pw;
                        int qlo = validLo(xo, sw, ow), qhi = validHi(xo, sw, w, ow, qlo);
                        for (int r = r0; r < r1; r++, src += ow) {
                            int iy = r * sh - ph + ki * dh;
                            if (iy < 0 || iy >= h) continue;
                            int dst = dxOff + (ci * h + iy) * w + xo;
                            if (sw == 1) {
                                for (int q = qlo; q < qhi; q++) dx[dst + q] += col[src + q];
                            } else {
                                for (int q = qlo; q < qhi; q++) dx[dst + q * sw] += col[src + q];
                            }
                        }
                    }
                }
            }
        });
    }

    /** First output column q with q*sw + xo >= 0 (clamped to ow). */
    static int validLo(int xo, int sw, int ow) {
        int q = xo >= 0 ? 0 : (-xo + sw - 1) / sw;
        return Math.min(q, ow);
    }

    /** One past the last output column q with q*sw + xo < w (at least qlo). */
    static int validHi(int xo, int sw, int w, int ow, int qlo) {
        int last = w - 1 - xo;
        int q = last < 0 ? 0 : last / sw + 1;
        return Math.max(qlo, Math.min(q, ow));
    }

    /** Output rows per band so that the column buffer stays near {@code budget} floats. */
    static int bandRows(int k, int oh, int ow, int budget) {
        long perRow = (long) k * ow;
        return (int) Math.max(1, Math.min(oh, budget / Math.max(1, perRow)));
    }
}
