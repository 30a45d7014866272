package org.wpunet.tracking;

/**
 * In-place 2D discrete Fourier transform of a complex image whose sides are powers of two: iterative
 * radix-2 Cooley-Tukey on every row, then on every column. Forward: X[k] = sum_n x[n] e^{-2 pi i k n / N};
 * the inverse uses e^{+...} and divides by N per axis. Arrays are row-major, {@code re[x + w * y]}.
 */
final class Fft2 {
    private Fft2() {}

    /** The smallest power of two >= n. */
    static int powerOfTwo(int n) {
        int p = 1;
        while (p < n) p <<= 1;
        return p;
    }

    static void transform(double[] re, double[] im, int w, int h, boolean inverse) {
        if (Integer.bitCount(w) != 1 || Integer.bitCount(h) != 1) throw new IllegalArgumentException("sides must be powers of two: " + w + "x" + h);
        double[] rr = new double[Math.max(w, h)], ri = new double[rr.length];
        for (int y = 0; y < h; y++) {
            System.arraycopy(re, y * w, rr, 0, w);
            System.arraycopy(im, y * w, ri, 0, w);
            fft(rr, ri, w, inverse);
            System.arraycopy(rr, 0, re, y * w, w);
            System.arraycopy(ri, 0, im, y * w, w);
        }
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) { rr[y] = re[x + w * y]; ri[y] = im[x + w * y]; }
            fft(rr, ri, h, inverse);
            for (int y = 0; y < h; y++) { re[x + w * y] = rr[y]; im[x + w * y] = ri[y]; }
        }
    }

    /** One radix-2 transform of the first n entries (bit-reversal permutation, then butterflies). */
    static void fft(double[] re, double[] im, int n, boolean inverse) {
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = 2 * Math.PI / len * (inverse ? 1 : -1);
            double wr = Math.cos(ang), wi = Math.sin(ang);
            for (int i = 0; i < n; i += len) {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k, b = a + len / 2;
                    double xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr; im[b] = im[a] - xi;
                    re[a] += xr; im[a] += xi;
                    double ncr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = ncr;
                }
            }
        }
        if (inverse) for (int i = 0; i < n; i++) { re[i] /= n; im[i] /= n; }
    }
}
