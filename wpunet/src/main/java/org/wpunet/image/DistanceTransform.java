package org.wpunet.image;

import java.util.Arrays;
import org.wpunet.core.cpu.Parallel;

/**
 * Exact Euclidean distance transform, equal to {@code scipy.ndimage.distance_transform_edt}: every
 * non-zero ("foreground") element gets the Euclidean distance to the nearest zero ("background")
 * element; zero elements get 0. With {@code sampling} the axes have the given spacings (x, y[, z]).
 * If the input has no zero element at all the distances are {@code +Infinity}.
 *
 * <p>Algorithm (Felzenszwalb and Huttenlocher, "Distance Transforms of Sampled Functions", 2012):
 * the squared distance is separable, {@code D(p) = min_q sum_k (s_k (p_k - q_k))^2}, so it is
 * computed one axis at a time; along x by a forward/backward scan, along y (and z) by the lower
 * envelope of the parabolas {@code f(q) + (s (p - q))^2} of the finite samples, in linear time.
 * Arrays: 2D row-major {@code x + width * y}, 3D {@code x + width * (y + height * z)}.
 */
public final class DistanceTransform {
    private DistanceTransform() {}

    /** Distances of the non-zero pixels of {@code mask} to the nearest zero pixel, unit spacing. */
    public static double[] edt(byte[] mask, int width, int height) {
        return edt3D(mask, width, height, 1, new double[]{1, 1, 1});
    }

    /** Squared distances (exact integers for unit spacing) of a 2D mask. */
    public static double[] squaredEdt(byte[] mask, int width, int height) {
        return squared(mask, width, height, 1, new double[]{1, 1, 1});
    }

    /** 3D distances with spacings {@code sampling = {sx, sy, sz}}. */
    public static double[] edt3D(byte[] mask, int width, int height, int depth, double[] sampling) {
        double[] d = squared(mask, width, height, depth, sampling);
        for (int i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]);
        return d;
    }

    /** Squared distances of a 3D mask with spacings {@code sampling = {sx, sy, sz}} (or {sx, sy} for 2D). */
    public static double[] squared(byte[] mask, int width, int height, int depth, double[] sampling) {
        if (width <= 0 || height <= 0 || depth <= 0 || (long) width * height * depth != mask.length)
            throw new IllegalArgumentException("shape " + width + "x" + height + "x" + depth
                    + " does not match " + mask.length + " elements");
        if (sampling.length < 2 || (depth > 1 && sampling.length < 3))
            throw new IllegalArgumentException("sampling needs one spacing per axis");
        for (double s : sampling)
            if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("spacings must be positive: " + Arrays.toString(sampling));
        double sx = sampling[0], sy = sampling[1], sz = depth > 1 ? sampling[2] : 1;
        double[] f = new double[mask.length];
        int lines = height * depth;
        // x axis: distance to the nearest zero in the same row, by two scans
        Parallel.forRange(lines, 64, (from, to) -> {
            for (int line = from; line < to; line++) {
                int base = line * width;
                int last = -1;
                for (int x = 0; x < width; x++) {
                    if (mask[base + x] == 0) { last = x; f[base + x] = 0; }
                    else f[base + x] = last < 0 ? Double.POSITIVE_INFINITY : x - last;
                }
                last = -1;
                for (int x = width - 1; x >= 0; x--) {
                    if (mask[base + x] == 0) last = x;
                    else if (last >= 0) f[base + x] = Math.min(f[base + x], last - x);
                    double v = f[base + x];
                    f[base + x] = v * v * sx * sx;
                }
            }
        });
        if (height > 1) {
            int plane = width * height;
            Parallel.forRange(width * depth, 32, (from, to) -> {
                Envelope env = new Envelope(height);
                for (int k = from; k < to; k++) {
                    int x = k % width, z = k / width;
                    env.transform(f, x + plane * z, width, height, sy);
                }
            });
        }
        if (depth > 1) {
            int plane = width * height;
            Parallel.forRange(plane, 32, (from, to) -> {
                Envelope env = new Envelope(depth);
                for (int k = from; k < to; k++) env.transform(f, k, plane, depth, sz);
            });
        }
        return f;
    }

    /** Lower envelope of parabolas along one axis, reusable scratch space. */
    private static final class Envelope {
        final double[] in, zs;
        final int[] v;

        Envelope(int n) { in = new double[n]; zs = new double[n + 1]; v = new int[n]; }

        /** In-place 1D transform of {@code n} samples at {@code f[start + i * stride]}, spacing {@code s}. */
        void transform(double[] f, int start, int stride, int n, double s) {
            for (int i = 0; i < n; i++) in[i] = f[start + i * stride];
            int k = -1;
            for (int q = 0; q < n; q++) {
                double fq = in[q];
                if (fq == Double.POSITIVE_INFINITY) continue;
                double pq = q * s;
                while (k >= 0) {
                    double pv = v[k] * s;
                    double sect = ((fq + pq * pq) - (in[v[k]] + pv * pv)) / (2 * (pq - pv));
                    if (sect <= zs[k]) k--; else { zs[k + 1] = sect; break; }
                }
                if (k < 0) zs[0] = Double.NEGATIVE_INFINITY;
                v[++k] = q;
                zs[k + 1] = Double.POSITIVE_INFINITY;
            }
            if (k < 0) return; // all infinite: leave as is
            int j = 0;
            for (int q = 0; q < n; q++) {
                double p = q * s;
                while (zs[j + 1] < p) j++;
                double d = p - v[j] * s;
                f[start + q * stride] = d * d + in[v[j]];
            }
        }
    }
}
