package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolAndBatchNormTest {
    /** n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw */
    private static final int[][] POOL = {
        {2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 1, 7, 9, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 2, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1},
        {2, 1, 9, 10, 3, 2, 1, 2, 1, 1, 2, 1},
        {1, 3, 5, 5, 1, 1, 1, 1, 0, 0, 1, 1},
        {1, 2, 11, 11, 4, 4, 3, 3, 2, 2, 2, 2},
    };

    /** torch's CPU max-pool loop, written out plainly: returns values and indices. */
    static Object[] poolRef(double[] x, int[] g) {
        int n = g[0], c = g[1], h = g[2], w = g[3], kh = g[4], kw = g[5], sh = g[6], sw = g[7], ph = g[8], pw = g[9];
        int dh = g[10], dw = g[11];
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        double[] y = new double[n * c * oh * ow];
        int[] idx = new int[y.length];
        for (int pl = 0; pl < n * c; pl++) for (int r = 0; r < oh; r++) for (int q = 0; q < ow; q++) {
            double best = Double.NEGATIVE_INFINITY;
            int bi = -1;
            for (int ki = 0; ki < kh; ki++) for (int kj = 0; kj < kw; kj++) {
                int iy = r * sh - ph + ki * dh, ix = q * sw - pw + kj * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                if (bi < 0) bi = iy * w + ix; // first in-image position
                double v = x[pl * h * w + iy * w + ix];
                if (v > best || Double.isNaN(v)) { best = v; bi = iy * w + ix; }
            }
            y[(pl * oh + r) * ow + q] = best;
            idx[(pl * oh + r) * ow + q] = bi;
        }
        return new Object[] {y, idx, oh, ow};
    }

    @Test
    void maxPoolMatchesTorchSemanticsForwardAndBackward() {
        Random r = new Random(21);
        for (int[] g : POOL) {
            int n = g[0], c = g[1], h = g[2], w = g[3];
            float[] x = randomFloats(r, n * c * h * w);
            if (g[2] == 7) x[3] = Float.NaN; // a NaN wins its window
            Object[] ref = poolRef(toDouble(x), g);
            int oh = (int) ref[2], ow = (int) ref[3];
            float[] y = new float[n * c * oh * ow];
            int[] idx = new int[y.length];
            Pool2dKernels.maxForward(x, n, c, h, w, g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], y, idx);
            String tag = "pool " + java.util.Arrays.toString(g);
            assertArrayEquals((int[]) ref[1], idx, tag + " indices");
            double[] ry = (double[]) ref[0];
            for (int i = 0; i < y.length; i++) assertEquals((float) ry[i], y[i], tag + " value " + i);

            float[] dy = randomFloats(r, y.length), dx = randomFloats(r, x.length);
            Pool2dKernels.maxBackward(dy, idx, n, c, h, w, oh, ow, dx);
            double[] rdx = new double[x.length];
            for (int i = 0; i < dy.length; i++) rdx[(i / (oh * ow)) * h * w + idx[i]] += dy[i];
            assertClose(tag + " dx", rdx, dx, dx.length, 1e-6);

            double[] xd = toDouble(x), yd = new double[y.length], dxd = new double[x.length];
            int[] idxd = new int[y.length];
            Pool2dKernels.maxForward(xd, n, c, h, w, g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], yd, idxd);
            assertArrayEquals((int[]) ref[1], idxd, tag + " double indices");
            Pool2dKernels.maxBackward(toDouble(dy), idxd, n, c, h, w, oh, ow, dxd);
            assertClose(tag + " double dx", rdx, dxd, dxd.length, 1e-12);
        }
    }

    @Test
    void maxPoolRejectsBadSizes() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> Pool2dKernels.maxForward(new float[64], 1, 1, 8, 8,
                2, 2, 2, 2, 0, 0, 1, 1, new float[15], new int[16]));
        assertMessageNames(e1, "y", "1x1x4x4", "15");
        var e2 = assertThrows(IllegalArgumentException.class, () -> Pool2dKernels.maxForward(new float[64], 1, 1, 8, 8,
                2, 2, 2, 2, 2, 0, 1, 1, new float[64], new int[64]));
        assertMessageNames(e2, "padding", "2x0", "2x2");
        var e3 = assertThrows(IllegalArgumentException.class, () -> Pool2dKernels.maxBackward(new float[4],
                new int[] {0, 1, 99, 2}, 1, 1, 4, 4, 2, 2, new float[16]));
        assertMessageNames(e3, "99", "4x4");
    }

    // ------------------------------------------------------------------ batch norm

    /** n, c, hw */
    private static final int[][] BN = {{2, 3, 17}, {1, 1, 5}, {4, 5, 64}, {3, 2, 1}, {1, 7, 1000}};

    @Test
    void batchNormTrainingForwardMatchesReferenceAndUpdatesRunningStats() {
        Random r = new Random(31);
        for (int[] s : BN) {
            int n = s[0], c = s[1], hw = s[2];
            boolean affine = c != 2;
            float[] x = randomFloats(r, n * c * hw);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * 3 + 5; // a large mean tests the two-pass variance
            float[] gamma = affine ? randomFloats(r, c) : null, beta = affine ? randomFloats(r, c) : null;
            float[] rm = randomFloats(r, c), rv = new float[c];
            for (int i = 0; i < c; i++) rv[i] = 1 + r.nextFloat();
            float[] rm0 = rm.clone(), rv0 = rv.clone();
            float[] y = new float[x.length], sm = new float[c], sis = new float[c];
            BatchNormKernels.forwardTraining(x, n, c, hw, gamma, beta, 1e-5f, 0.1f, rm, rv, y, sm, sis);
            double[] ry = new double[x.length];
            int count = n * hw;
            for (int ch = 0; ch < c; ch++) {
                double mean = 0, var = 0;
                for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) mean += x[(b * c + ch) * hw + i];
                mean /= count;
                for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) {
                    double d = x[(b * c + ch) * hw + i] - mean;
                    var += d * d;
                }
                var /= count;
                double inv = 1 / Math.sqrt(var + 1e-5);
                for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) {
                    int k = (b * c + ch) * hw + i;
                    ry[k] = (x[k] - mean) * inv * (affine ? gamma[ch] : 1) + (affine ? beta[ch] : 0);
                }
                assertEquals(mean, sm[ch], 1e-5 * Math.abs(mean) + 1e-6, "saved mean");
                assertEquals(inv, sis[ch], 1e-4 * inv, "saved invstd");
                assertEquals(0.9 * rm0[ch] + 0.1 * mean, rm[ch], 1e-5, "running mean");
                assertEquals(0.9 * rv0[ch] + 0.1 * var * count / (count - 1), rv[ch], 1e-4, "running var");
            }
            assertClose("bn forward " + java.util.Arrays.toString(s), ry, y, y.length, 1e-4);

            float[] yi = new float[x.length];
            BatchNormKernels.forwardInference(x, n, c, hw, gamma, beta, 1e-5f, rm, rv, yi);
            double[] ryi = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                int ch = (k / hw) % c;
                ryi[k] = (x[k] - rm[ch]) / Math.sqrt(rv[ch] + 1e-5) * (affine ? gamma[ch] : 1) + (affine ? beta[ch] : 0);
            }
            assertClose("bn inference " + java.util.Arrays.toString(s), ryi, yi, yi.length, 1e-4);
        }
    }

    /** Loss sum(y * g) of the double training forward: used for finite differences. */
    private static double loss(double[] x, int n, int c, int hw, double[] gamma, double[] beta, double[] g) {
        double[] y = new double[x.length];
        BatchNormKernels.forwardTraining(x, n, c, hw, gamma, beta, 1e-5, 0.1, null, null, y, null, null);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += y[i] * g[i];
        return s;
    }

    @Test
    void batchNormBackwardMatchesFiniteDifferencesAndFloatMatchesDouble() {
        Random r = new Random(32);
        for (int[] s : BN) {
            int n = s[0], c = s[1], hw = s[2];
            if ((long) n * c * hw > 2000) continue; // finite differences on the small shapes only
            double[] x = randomDoubles(r, n * c * hw), gamma = randomDoubles(r, c), beta = randomDoubles(r, c);
            double[] dy = randomDoubles(r, x.length);
            double[] y = new double[x.length], sm = new double[c], sis = new double[c];
            BatchNormKernels.forwardTraining(x, n, c, hw, gamma, beta, 1e-5, 0.1, null, null, y, sm, sis);
            double[] dx = new double[x.length], dg = new double[c], db = new double[c];
            BatchNormKernels.backward(x, dy, n, c, hw, gamma, sm, sis, dx, dg, db);
            double h = 1e-6;
            double[] ndx = new double[x.length], ndg = new double[c], ndb = new double[c];
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                x[i] = v + h;
                double lp = loss(x, n, c, hw, gamma, beta, dy);
                x[i] = v - h;
                double lm = loss(x, n, c, hw, gamma, beta, dy);
                x[i] = v;
                ndx[i] = (lp - lm) / (2 * h);
            }
            for (int ch = 0; ch < c; ch++) {
                double v = gamma[ch];
                gamma[ch] = v + h;
                double lp = loss(x, n, c, hw, gamma, beta, dy);
                gamma[ch] = v - h;
                double lm = loss(x, n, c, hw, gamma, beta, dy);
                gamma[ch] = v;
                ndg[ch] = (lp - lm) / (2 * h);
                v = beta[ch];
                beta[ch] = v + h;
                lp = loss(x, n, c, hw, gamma, beta, dy);
                beta[ch] = v - h;
                lm = loss(x, n, c, hw, gamma, beta, dy);
                beta[ch] = v;
                ndb[ch] = (lp - lm) / (2 * h);
            }
            String tag = "bn backward " + java.util.Arrays.toString(s);
            assertClose(tag + " dx", ndx, dx, dx.length, 1e-5);
            assertClose(tag + " dGamma", ndg, dg, c, 1e-5);
            assertClose(tag + " dBeta", ndb, db, c, 1e-5);

            float[] xf = new float[x.length], dyf = new float[x.length], gf = new float[c], smf = new float[c];
            float[] sisf = new float[c], yf = new float[x.length];
            for (int i = 0; i < x.length; i++) { xf[i] = (float) x[i]; dyf[i] = (float) dy[i]; }
            for (int i = 0; i < c; i++) gf[i] = (float) gamma[i];
            BatchNormKernels.forwardTraining(xf, n, c, hw, gf, null, 1e-5f, 0.1f, null, null, yf, smf, sisf);
            float[] dxf = new float[x.length], dgf = new float[c], dbf = new float[c];
            BatchNormKernels.backward(xf, dyf, n, c, hw, gf, smf, sisf, dxf, dgf, dbf);
            assertClose(tag + " float dx", dx, dxf, dx.length, 1e-3);
            assertClose(tag + " float dGamma", dg, dgf, c, 1e-4);
            assertClose(tag + " float dBeta", db, dbf, c, 1e-4);
        }
    }

    @Test
    void batchNormRejectsBadSizes() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> BatchNormKernels.forwardTraining(new float[10], 2, 3, 2,
                null, null, 1e-5f, 0.1f, null, null, new float[12], null, null));
        assertMessageNames(e1, "input", "2x3x2", "10");
        var e2 = assertThrows(IllegalArgumentException.class, () -> BatchNormKernels.forwardTraining(new float[3], 1, 3, 1,
                null, null, 1e-5f, 0.1f, null, null, new float[3], null, null));
        assertMessageNames(e2, "more than 1 value", "1x3x1");
        var e3 = assertThrows(IllegalArgumentException.class, () -> BatchNormKernels.backward(new double[12],
                new double[12], 2, 3, 2, new double[2], new double[3], new double[3], new double[12], null, null));
        assertMessageNames(e3, "per-channel", "3 channels", "2");
        var e4 = assertThrows(IllegalArgumentException.class, () -> BatchNormKernels.forwardInference(new float[12], 0, 3,
                4, null, null, 1e-5f, new float[3], new float[3], new float[12]));
        assertMessageNames(e4, "0x3x4");
    }
}
