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
 *
 * <p>With at least NR input channels, enough row bands for the threads and a small dW (the
 * common case of large images), {@link #channelsLast} is used instead: it copies x once
 * (channel-last, zero-padded) and dy once (interleaved) and needs no im2col, see there.
 */
final class ConvWeightGradVector {
    private ConvWeightGradVector() {}

    /** Target pixels per block (the GEMM depth of one micro-kernel call). */
    private static final int BLOCK_PIXELS = 512;

    static void backwardWeight(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                               int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, float[] dWeight) {
        int mr = SgemmVector.MR, nr = SgemmVector.NR;
        if (c >= nr && channelsLast(x, dy, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dWeight)) return;
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

    /**
     * Floats of a thread's channel-last band buffer (2 MiB; larger bands halve the halo copies, and
     * the output-row-outer loop of {@link Bands#tiles} only keeps a few of its rows hot at a time).
     */
    private static final int BAND_FLOATS = 1 << 19;
    /** Pixels per micro-kernel call: one NR-channel slice of them (32 KiB) stays in L1 across the oc panels. */
    private static final int CALL_PIXELS = 256;
    /** Largest dW for which each thread accumulates a private copy over its own bands (4 MiB). */
    private static final int PRIVATE_MAX = 1 << 20;

    /**
     * dW'[o, (ki, kj, ci)] = sum_{b, r, q} dy[b, o, r, q] * xp[b, r*sh + ki*dh, q*sw + kj*dw, ci], where
     * xp is x zero-padded by (ph, pw) and stored channel-last. For fixed (ki, kj) the NR consecutive
     * columns ci0..ci0+NR of dW' are one contiguous run of xp, so the micro-kernel loads its B
     * vectors straight from xp (pixel stride sw*cs): the copies are one transpose of x per band of
     * output rows (plus the (kh-1)*dh halo rows) and one MR-interleaving of dy, instead of the 9x
     * im2col plus a transpose of dy. Each thread takes a fixed range of bands and accumulates a
     * private dW' (summed in a fixed order at the end), so there is one fork per call (a fork per
     * band and step cost more than the steps on small bands). Returns false, doing nothing, when
     * there are too few bands for the threads or the private copies would be big (deep layers on
     * small images), which the K-panel split handles better.
     */
    private static boolean channelsLast(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
                                        int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow, float[] dWeight) {
        Bands g = new Bands(x, dy, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
        int kk = g.kk, khw = kh * kw, perImage = (oh + g.band - 1) / g.band, bands = n * perImage;
        int parts = Math.min(Parallel.threads(), bands);
        // too few bands to share, or private copies too big: the K-panel split above does better
        if (parts > 1 && ((long) oc * kk > PRIVATE_MAX || bands < 2 * parts)) return false;
        float[][] acc = new float[parts][];
        Parallel.forParts(parts, parts, (f, t) -> {
            for (int part = f; part < t; part++) {
                float[] d = acc[part] = new float[oc * kk];
                for (int bi = bands * part / parts; bi < bands * (part + 1) / parts; bi++) {
                    int b = bi / perImage, r0 = bi % perImage * g.band, rows = Math.min(g.band, oh - r0);
                    float[] xp = g.xp(rows), dyp = g.dyp(rows);
                    g.packX(b, r0, rows, xp);
                    g.packDy(b, r0, rows, dyp);
                    g.tiles(rows, xp, dyp, d);
                }
            }
        });
        // dW[o, ci, ki, kj] = sum over parts of dW'[o, (ki, kj), ci]
        Parallel.forRange(oc, Math.max(1, 65536 / kk), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int t = 0; t < khw; t++) {
                        float s = 0f;
                        for (float[] a : acc) s += a[o * kk + t * c + ci];
                        dWeight[(o * c + ci) * khw + t] = s;
                    }
                }
            }
        });
        return true;
    }

    /** Geometry and the three (serial) steps of {@link #channelsLast} for one band of output rows. */
    private static final class Bands {
        final float[] x, dy;
        final int n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
        final int mr = SgemmVector.MR, nr = SgemmVector.NR;
        final int p, kk, wp, cs, cBlocks, colBlocks, oPanels, chunkPanels = 18, tiles, halo, band, callRows, callCols;

        Bands(float[] x, float[] dy, int n, int c, int h, int w, int oc, int kh, int kw,
              int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow) {
            this.x = x; this.dy = dy; this.n = n; this.c = c; this.h = h; this.w = w; this.oc = oc;
            this.kh = kh; this.kw = kw; this.sh = sh; this.sw = sw; this.ph = ph; this.pw = pw;
            this.dh = dh; this.dw = dw; this.oh = oh; this.ow = ow;
            p = oh * ow;
            kk = kh * kw * c;
            wp = w + 2 * pw;
            // pixel stride of xp: an odd multiple of 16 floats, so that the pixels of one kernel call spread
            // over all L1 sets (a power-of-two stride maps them onto a few sets and they evict each other)
            cs = ((c + 15) / 16 | 1) * 16;
            cBlocks = (c + nr - 1) / nr;
            colBlocks = kh * kw * cBlocks;
            oPanels = (oc + mr - 1) / mr;
            tiles = (oPanels + chunkPanels - 1) / chunkPanels * colBlocks; // (144 rows of dW') x (NR columns)
            halo = (kh - 1) * dh + 1;
            band = Math.max(1, Math.min(oh, (BAND_FLOATS / (wp * cs) - halo) / sh + 1));
            callRows = Math.max(1, Math.min(band, CALL_PIXELS / ow));
            callCols = Math.min(ow, CALL_PIXELS);
        }

        int rowsIn(int rows) { return (rows - 1) * sh + halo; }

        /** This thread's channel-last band buffer; + NR: the ragged last ci block reads past the end. */
        float[] xp(int rows) { return Scratch.floats(Scratch.CONV_COL, rowsIn(rows) * wp * cs + nr); }

        float[] dyp(int rows) { return Scratch.floats(Scratch.CONV_TMP, oPanels * rows * ow * mr); }

        /** xp[(yr*wp + pw + ix)*cs + ci] = x[b, ci, r0*sh - ph + yr, ix], zero in the padding. */
        void packX(int b, int r0, int rows, float[] xp) {
            int xImg = b * c * h * w, iy0 = r0 * sh - ph;
            for (int yr = 0, y1 = rowsIn(rows); yr < y1; yr++) {
                int iy = iy0 + yr, dst = yr * wp * cs;
                if (iy < 0 || iy >= h) {
                    Arrays.fill(xp, dst, dst + wp * cs, 0f);
                    continue;
                }
                Arrays.fill(xp, dst, dst + pw * cs, 0f);
                Arrays.fill(xp, dst + (pw + w) * cs, dst + wp * cs, 0f);
                for (int ix0 = 0; ix0 < w; ix0 += 64) { // 64 pixels x cs channels of xp stay in L1
                    int ix1 = Math.min(w, ix0 + 64);
                    for (int ci = 0; ci < c; ci++) {
                        int src = xImg + (ci * h + iy) * w, d = dst + pw * cs + ci;
                        for (int ix = ix0; ix < ix1; ix++) xp[d + ix * cs] = x[src + ix];
                    }
                }
            }
        }

        /**
         * dy of the band MR-interleaved per oc panel (so the broadcasts need one base pointer, not MR):
         * dyp[(op*pb + t)*MR + i] = dy[b, op*MR + i, r0*ow + t], zero past oc.
         */
        void packDy(int b, int r0, int rows, float[] dyp) {
            int pb = rows * ow, dyBand = b * oc * p + r0 * ow;
            for (int op = 0; op < oPanels; op++) {
                int base = op * pb * mr;
                for (int i = 0; i < mr; i++) {
                    int o = op * mr + i;
                    if (o >= oc) {
                        for (int t = 0; t < pb; t++) dyp[base + t * mr + i] = 0f;
                    } else {
                        int src = dyBand + o * p;
                        for (int t = 0; t < pb; t++) dyp[base + t * mr + i] = dy[src + t];
                    }
                }
            }
        }

        /** dW' += (dy band) * (xp band)^T, tile by tile (up to 144 rows x NR columns of dW'). */
        void tiles(int rows, float[] xp, float[] dyp, float[] dwT) {
            float[] tmp = Scratch.floats(Scratch.GEMM_A, mr * nr);
            int pb = rows * ow;
            // output rows outermost: the dy rows of all oc (A) and the xp rows they meet stay in L2
            for (int u0 = 0; u0 < rows; u0 += callRows) {
                int du = Math.min(callRows, rows - u0);
                for (int q0 = 0; q0 < ow; q0 += callCols) {
                    int dq = Math.min(callCols, ow - q0);
                    for (int t = 0; t < tiles; t++) {
                        int chunk = t / colBlocks, cbk = t % colBlocks, kij = cbk / cBlocks, ci0 = cbk % cBlocks * nr;
                        int ki = kij / kw, kj = kij % kw, cols = Math.min(nr, c - ci0);
                        int bBase = ((u0 * sh + ki * dh) * wp + q0 * sw + kj * dw) * cs + ci0;
                        // the B slice (du x dq pixels, NR channels) stays in L1 across the oc panels
                        for (int op = chunk * chunkPanels, op1 = Math.min(oPanels, op + chunkPanels); op < op1; op++) {
                            int o0 = op * mr;
                            SgemmVector.kernelStrided(du, dq, dyp, (op * pb + u0 * ow + q0) * mr, ow,
                                    Math.min(mr, oc - o0), xp, bBase, sw * cs, sh * wp * cs,
                                    dwT, o0 * kk + kij * c + ci0, kk, cols, tmp);
                        }
                    }
                }
            }
        }
    }
}
