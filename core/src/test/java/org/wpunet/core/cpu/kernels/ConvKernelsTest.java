package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvKernelsTest {
    /** n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw */
    private static final int[][] CONV = {
        {1, 1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {2, 3, 8, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1},
        {2, 5, 9, 11, 3, 3, 2, 2, 1, 0, 1, 1, 1},
        {1, 4, 10, 9, 6, 3, 3, 2, 2, 1, 1, 2, 2},
        {3, 2, 6, 6, 5, 1, 1, 1, 1, 0, 0, 1, 1},
        {1, 3, 7, 7, 2, 5, 5, 1, 1, 2, 2, 1, 1},
        {2, 6, 12, 10, 7, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 33, 13, 9, 17, 3, 3, 1, 1, 1, 1, 1, 1},
        {1, 2, 4, 4, 3, 1, 1, 2, 2, 0, 0, 1, 1},
        {1, 3, 5, 6, 2, 3, 3, 3, 2, 2, 1, 1, 2},
        {2, 2, 20, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1}, // WPU-Net's first layer shape, small
        {1, 3, 9, 9, 4, 3, 3, 1, 1, 0, 2, 2, 1},   // padding smaller than the dilated kernel half
        {1, 64, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1, 1}, // column matrix over the budget: several row bands
        {1, 64, 4, 5, 1000, 3, 3, 1, 1, 1, 1, 1, 1}, // weights too big for the implicit GEMM: blocked path
        {1, 35, 9, 11, 10, 3, 2, 2, 1, 1, 0, 1, 2}, // channel-last weight gradient: ragged c, stride, dilation
        {2, 3, 5, 70, 5, 3, 3, 1, 1, 1, 1, 1, 1},   // Conv3x3Direct: 4-vector tiles, a masked tail, oc % 4 = 1
        {1, 17, 3, 64, 6, 3, 3, 1, 1, 1, 1, 1, 1},  // Conv3x3Direct: width exactly 4 vectors (16 lanes); dx has oc 17
        {1, 2, 4, 150, 16, 3, 3, 1, 1, 1, 1, 1, 1}, // Conv3x3Direct: first-layer shape, two tail vectors
        {2, 3, 19, 64, 6, 3, 3, 1, 1, 1, 1, 1, 1},  // Conv3x3Direct: strips of 8, 8 and 3 rows per image
    };

    static int out(int in, int k, int s, int p, int d) { return (in + 2 * p - d * (k - 1) - 1) / s + 1; }

    // ------------------------------------------------------------------ naive references (double)

    static double[] convRef(double[] x, int[] g, double[] wt, double[] bias) {
        int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
        int oh = out(h, kh, g[7], g[9], g[11]), ow = out(w, kw, g[8], g[10], g[12]);
        double[] y = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++) for (int o = 0; o < oc; o++) for (int r = 0; r < oh; r++) for (int q = 0; q < ow; q++) {
            double s = bias == null ? 0 : bias[o];
            for (int ci = 0; ci < c; ci++) for (int ki = 0; ki < kh; ki++) for (int kj = 0; kj < kw; kj++) {
                int iy = r * g[7] - g[9] + ki * g[11], ix = q * g[8] - g[10] + kj * g[12];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += wt[((o * c + ci) * kh + ki) * kw + kj] * x[((b * c + ci) * h + iy) * w + ix];
            }
            y[((b * oc + o) * oh + r) * ow + q] = s;
        }
        return y;
    }

    /** Returns {dx, dW, dBias} of sum(y * dy) for the convolution. */
    static double[][] convGradRef(double[] x, double[] dy, int[] g, double[] wt) {
        int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
        int oh = out(h, kh, g[7], g[9], g[11]), ow = out(w, kw, g[8], g[10], g[12]);
        double[] dx = new double[x.length], dw = new double[wt.length], db = new double[oc];
        for (int b = 0; b < n; b++) for (int o = 0; o < oc; o++) for (int r = 0; r < oh; r++) for (int q = 0; q < ow; q++) {
            double gy = dy[((b * oc + o) * oh + r) * ow + q];
            db[o] += gy;
            for (int ci = 0; ci < c; ci++) for (int ki = 0; ki < kh; ki++) for (int kj = 0; kj < kw; kj++) {
                int iy = r * g[7] - g[9] + ki * g[11], ix = q * g[8] - g[10] + kj * g[12];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                int xi = ((b * c + ci) * h + iy) * w + ix, wi = ((o * c + ci) * kh + ki) * kw + kj;
                dx[xi] += gy * wt[wi];
                dw[wi] += gy * x[xi];
            }
        }
        return new double[][] {dx, dw, db};
    }

    @Test
    void conv2dFloatMatchesReference() {
        bothPaths(path -> {
            Random r = new Random(11);
            for (int[] g : CONV) {
                int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
                int oh = out(h, kh, g[7], g[9], g[11]), ow = out(w, kw, g[8], g[10], g[12]);
                float[] x = randomFloats(r, n * c * h * w), wt = randomFloats(r, oc * c * kh * kw);
                float[] bias = g[1] % 2 == 0 ? null : randomFloats(r, oc);
                float[] dy = randomFloats(r, n * oc * oh * ow);
                String tag = path + " conv " + java.util.Arrays.toString(g);

                float[] y = new float[n * oc * oh * ow];
                java.util.Arrays.fill(y, Float.NaN); // must be overwritten
                Conv2dKernels.forward(x, n, c, h, w, wt, oc, kh, kw, bias, g[7], g[8], g[9], g[10], g[11], g[12], y);
                assertClose(tag + " forward", convRef(toDouble(x), g, toDouble(wt), bias == null ? null : toDouble(bias)),
                        y, y.length, 1e-4);

                double[][] ref = convGradRef(toDouble(x), toDouble(dy), g, toDouble(wt));
                float[] dx = randomFloats(r, x.length); // overwritten
                Conv2dKernels.backwardInput(dy, wt, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12], dx);
                assertClose(tag + " dx", ref[0], dx, dx.length, 1e-4);

                float[] dw = randomFloats(r, wt.length), db = randomFloats(r, oc);
                Conv2dKernels.backwardWeight(x, dy, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12], dw, db);
                assertClose(tag + " dW", ref[1], dw, dw.length, 1e-4);
                assertClose(tag + " dBias", ref[2], db, db.length, 1e-4);
            }
        });
    }

    /**
     * The SIMD weight gradient's channel-last path with several row bands per image shared between
     * threads (inputs wide enough that the band buffer holds only part of the image): ragged channel
     * blocks (c not a multiple of 32), ragged oc, strides, dilation, asymmetric padding, batch > 1.
     */
    @Test
    void conv2dWeightGradManyBandsMatchesReference() {
        if (!org.wpunet.core.cpu.Simd.modulePresent()) return;
        int[][] shapes = {
            {2, 32, 70, 300, 8, 3, 3, 1, 1, 1, 1, 1, 1},
            {2, 40, 61, 290, 13, 3, 3, 2, 1, 0, 2, 1, 2},
            {3, 33, 40, 500, 17, 2, 3, 1, 2, 1, 0, 2, 1},
        };
        bothPaths(path -> {
            if (!path.equals("simd")) return;
            Random r = new Random(15);
            for (int[] g : shapes) {
                int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
                int oh = out(h, kh, g[7], g[9], g[11]), ow = out(w, kw, g[8], g[10], g[12]);
                float[] x = randomFloats(r, n * c * h * w), wt = randomFloats(r, oc * c * kh * kw);
                float[] dy = randomFloats(r, n * oc * oh * ow);
                double[][] ref = convGradRef(toDouble(x), toDouble(dy), g, toDouble(wt));
                float[] dw = randomFloats(r, wt.length), db = randomFloats(r, oc);
                Conv2dKernels.backwardWeight(x, dy, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12], dw, db);
                String tag = "simd conv " + java.util.Arrays.toString(g);
                assertClose(tag + " dW", ref[1], dw, dw.length, 1e-4);
                assertClose(tag + " dBias", ref[2], db, db.length, 1e-4);
            }
        });
    }

    @Test
    void conv2dDoubleMatchesReference() {
        Random r = new Random(12);
        for (int[] g : CONV) {
            int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
            int oh = out(h, kh, g[7], g[9], g[11]), ow = out(w, kw, g[8], g[10], g[12]);
            double[] x = randomDoubles(r, n * c * h * w), wt = randomDoubles(r, oc * c * kh * kw), bias = randomDoubles(r, oc);
            double[] dy = randomDoubles(r, n * oc * oh * ow);
            String tag = "double conv " + java.util.Arrays.toString(g);
            double[] y = new double[n * oc * oh * ow];
            Conv2dKernels.forward(x, n, c, h, w, wt, oc, kh, kw, bias, g[7], g[8], g[9], g[10], g[11], g[12], y);
            assertClose(tag + " forward", convRef(x, g, wt, bias), y, y.length, 1e-12);
            double[][] ref = convGradRef(x, dy, g, wt);
            double[] dx = randomDoubles(r, x.length), dw = new double[wt.length], db = new double[oc];
            Conv2dKernels.backwardInput(dy, wt, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12], dx);
            Conv2dKernels.backwardWeight(x, dy, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12], dw, db);
            assertClose(tag + " dx", ref[0], dx, dx.length, 1e-12);
            assertClose(tag + " dW", ref[1], dw, dw.length, 1e-12);
            assertClose(tag + " dBias", ref[2], db, db.length, 1e-12);
        }
    }

    // ------------------------------------------------------------------ transposed convolution

    /** n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw */
    private static final int[][] CONVT = {
        {1, 3, 4, 5, 2, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
        {2, 4, 3, 3, 5, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1},
        {1, 2, 5, 4, 3, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1},
        {2, 3, 4, 4, 2, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1},
        {1, 2, 3, 5, 2, 3, 2, 2, 3, 0, 1, 0, 2, 2, 1},
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
        {2, 5, 6, 6, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
        {1, 8, 70, 70, 64, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1}, // up-sampling GEMM over the budget: row bands
    };

    static int outT(int in, int k, int s, int p, int op, int d) { return (in - 1) * s - 2 * p + d * (k - 1) + op + 1; }

    /** Returns {y, dx, dW, dBias} for the transposed convolution with output gradient dy. */
    static double[][] convTRef(double[] x, double[] wt, double[] bias, double[] dy, int[] g) {
        int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
        int oH = outT(h, kh, g[7], g[9], g[11], g[13]), oW = outT(w, kw, g[8], g[10], g[12], g[14]);
        double[] y = new double[n * oc * oH * oW], dx = new double[x.length], dw = new double[wt.length], db = new double[oc];
        for (int b = 0; b < n; b++) for (int o = 0; o < oc; o++) for (int i = 0; i < oH * oW; i++) {
            int yi = (b * oc + o) * oH * oW + i;
            y[yi] = bias == null ? 0 : bias[o];
            db[o] += dy[yi];
        }
        for (int b = 0; b < n; b++) for (int ci = 0; ci < c; ci++) for (int r = 0; r < h; r++) for (int q = 0; q < w; q++) {
            int xi = ((b * c + ci) * h + r) * w + q;
            for (int o = 0; o < oc; o++) for (int ki = 0; ki < kh; ki++) for (int kj = 0; kj < kw; kj++) {
                int iy = r * g[7] - g[9] + ki * g[13], ix = q * g[8] - g[10] + kj * g[14];
                if (iy < 0 || iy >= oH || ix < 0 || ix >= oW) continue;
                int yi = ((b * oc + o) * oH + iy) * oW + ix, wi = ((ci * oc + o) * kh + ki) * kw + kj;
                y[yi] += x[xi] * wt[wi];
                dx[xi] += dy[yi] * wt[wi];
                dw[wi] += dy[yi] * x[xi];
            }
        }
        return new double[][] {y, dx, dw, db};
    }

    @Test
    void convTranspose2dMatchesReference() {
        bothPaths(path -> {
            Random r = new Random(13);
            for (int[] g : CONVT) {
                int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
                int oH = outT(h, kh, g[7], g[9], g[11], g[13]), oW = outT(w, kw, g[8], g[10], g[12], g[14]);
                float[] x = randomFloats(r, n * c * h * w), wt = randomFloats(r, c * oc * kh * kw);
                float[] bias = g[0] == 1 ? randomFloats(r, oc) : null, dy = randomFloats(r, n * oc * oH * oW);
                double[][] ref = convTRef(toDouble(x), toDouble(wt), bias == null ? null : toDouble(bias), toDouble(dy), g);
                String tag = path + " convT " + java.util.Arrays.toString(g);
                float[] y = randomFloats(r, n * oc * oH * oW);
                ConvTranspose2dKernels.forward(x, n, c, h, w, wt, oc, kh, kw, bias, g[7], g[8], g[9], g[10], g[11], g[12],
                        g[13], g[14], y);
                assertClose(tag + " forward", ref[0], y, y.length, 1e-4);
                float[] dx = randomFloats(r, x.length);
                ConvTranspose2dKernels.backwardInput(dy, wt, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12],
                        g[13], g[14], dx);
                assertClose(tag + " dx", ref[1], dx, dx.length, 1e-4);
                float[] dw = randomFloats(r, wt.length), db = randomFloats(r, oc);
                ConvTranspose2dKernels.backwardWeight(x, dy, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12],
                        g[13], g[14], dw, db);
                assertClose(tag + " dW", ref[2], dw, dw.length, 1e-4);
                assertClose(tag + " dBias", ref[3], db, db.length, 1e-4);
            }
        });
    }

    @Test
    void convTranspose2dDoubleMatchesReference() {
        Random r = new Random(14);
        for (int[] g : CONVT) {
            int n = g[0], c = g[1], h = g[2], w = g[3], oc = g[4], kh = g[5], kw = g[6];
            int oH = outT(h, kh, g[7], g[9], g[11], g[13]), oW = outT(w, kw, g[8], g[10], g[12], g[14]);
            double[] x = randomDoubles(r, n * c * h * w), wt = randomDoubles(r, c * oc * kh * kw);
            double[] bias = randomDoubles(r, oc), dy = randomDoubles(r, n * oc * oH * oW);
            double[][] ref = convTRef(x, wt, bias, dy, g);
            String tag = "double convT " + java.util.Arrays.toString(g);
            double[] y = new double[n * oc * oH * oW], dx = new double[x.length], dw = new double[wt.length], db = new double[oc];
            ConvTranspose2dKernels.forward(x, n, c, h, w, wt, oc, kh, kw, bias, g[7], g[8], g[9], g[10], g[11], g[12],
                    g[13], g[14], y);
            ConvTranspose2dKernels.backwardInput(dy, wt, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12],
                    g[13], g[14], dx);
            ConvTranspose2dKernels.backwardWeight(x, dy, n, c, h, w, oc, kh, kw, g[7], g[8], g[9], g[10], g[11], g[12],
                    g[13], g[14], dw, db);
            assertClose(tag + " forward", ref[0], y, y.length, 1e-12);
            assertClose(tag + " dx", ref[1], dx, dx.length, 1e-12);
            assertClose(tag + " dW", ref[2], dw, dw.length, 1e-12);
            assertClose(tag + " dBias", ref[3], db, db.length, 1e-12);
        }
    }

    @Test
    void badGeometryIsRejectedWithTheSizesInTheMessage() {
        float[] big = new float[10000];
        var e1 = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.forward(big, 1, 2, 3, 3, big, 4, 5, 5, null, 1, 1, 0, 0, 1, 1, big));
        assertMessageNames(e1, "output size", "3x3", "5x5");
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.forward(new float[17], 1, 2, 3, 3, big, 4, 3, 3, null, 1, 1, 1, 1, 1, 1, big));
        assertMessageNames(e2, "x", "17", "1x2x3x3");
        var e3 = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.backwardWeight(big, big, 1, 2, 3, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, new float[5], null));
        assertMessageNames(e3, "weight", "4x2x3x3");
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.backwardInput(big, big, 0, 2, 3, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, big));
        assertMessageNames(e4, "0x2x3x3");
        var e5 = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose2dKernels.forward(big, 1, 2, 3, 3, big, 4, 2, 2, null, 2, 2, 0, 0, 2, 0, 1, 1, big));
        assertMessageNames(e5, "output padding", "2x0");
        var e6 = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose2dKernels.forward(big, 1, 2, 3, 3, big, 4, 2, 2, null, 2, 2, 0, 0, 0, 0, 1, 1,
                        new float[100]));
        assertMessageNames(e6, "y", "1x4x6x6", "144");
        var e7 = assertThrows(IllegalArgumentException.class,
                () -> Conv2dKernels.forward(new double[18], 1, 2, 3, 3, new double[72], 4, 3, 3, new double[3],
                        1, 1, 1, 1, 1, 1, new double[36]));
        assertMessageNames(e7, "bias", "3");
    }
}
