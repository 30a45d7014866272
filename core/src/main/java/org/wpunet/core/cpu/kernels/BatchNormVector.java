package org.wpunet.core.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD rows of {@link BatchNormKernels} (only loaded when SIMD is on): the per-channel sums and the
 * elementwise passes over one contiguous row of {@code len} floats. Sums keep one float partial per
 * lane (16 chains at 512 bits instead of the scalar path's 4) and return the lane total in double,
 * which the caller adds across rows in double, as the scalar path does. A {@code y} row given as the
 * ReLU mask means the op is BN followed by ReLU: {@code dy} counts only where {@code y > 0}.
 */
final class BatchNormVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements summed in float lanes before the partials are folded into double. */
    private static final int FOLD = 1024;

    private BatchNormVector() {}

    /**
     * The lanes' sum, added in lane order in double. Not reduceLanes: its float order is unspecified
     * and differs between the interpreter's fallback and compiled code, so results would depend on
     * JIT warm-up (a resumed training run would not reproduce an uninterrupted one bit for bit).
     */
    private static double lanes(FloatVector v) {
        float[] t = new float[L];
        v.intoArray(t, 0);
        double s = 0;
        for (float f : t) s += f;
        return s;
    }

    /** sum x[i], i in [from, from + len). */
    static double sum(float[] x, int from, int len) {
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            a = a.add(FloatVector.fromArray(S, x, from + i));
            b = b.add(FloatVector.fromArray(S, x, from + i + L));
        }
        for (; i + L <= len; i += L) a = a.add(FloatVector.fromArray(S, x, from + i));
        double s = lanes(a) + lanes(b);
        for (; i < len; i++) s += x[from + i];
        return s;
    }

    /** sum (x[i] - m)^2. */
    static double centredSquares(float[] x, int from, int len, float m) {
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, x, from + i).sub(m), d1 = FloatVector.fromArray(S, x, from + i + L).sub(m);
            a = d0.fma(d0, a);
            b = d1.fma(d1, b);
        }
        for (; i + L <= len; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, from + i).sub(m);
            a = d.fma(d, a);
        }
        double s = lanes(a) + lanes(b);
        for (; i < len; i++) {
            float d = x[from + i] - m;
            s += d * d;
        }
        return s;
    }

    /**
     * {sum g, sum g (x - m)} over the row, with g = dy, or g = (y > 0 ? dy : 0) when {@code y} is
     * given (the gradient through a following ReLU whose output is y); added into {@code out}.
     */
    static void gradSums(float[] dy, float[] x, float[] y, int from, int len, float m, double[] out) {
        double a = 0, b = 0;
        int i = 0;
        // float lanes over blocks of FOLD elements, folded into double per block: the sums feed
        // dx's constant term, and the conv bias gradient before this BN (mathematically 0) is the sum
        // of dx, so their rounding is what that gradient shows
        while (i + L <= len) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            for (int e = Math.min(len, i + FOLD); i + L <= e; i += L) {
                FloatVector g = FloatVector.fromArray(S, dy, from + i);
                if (y != null) {
                    VectorMask<Float> on = FloatVector.fromArray(S, y, from + i).compare(VectorOperators.GT, 0f);
                    g = FloatVector.zero(S).blend(g, on);
                }
                s0 = s0.add(g);
                s1 = g.fma(FloatVector.fromArray(S, x, from + i).sub(m), s1);
            }
            a += lanes(s0);
            b += lanes(s1);
        }
        for (; i < len; i++) {
            float g = y != null && !(y[from + i] > 0f) ? 0f : dy[from + i];
            a += g;
            b += g * (x[from + i] - m);
        }
        out[0] += a;
        out[1] += b;
    }

    /** y = x * scale + shift, then max(y, 0) when relu (NaN stays NaN, as PyTorch's relu). */
    static void affine(float[] x, float[] y, int from, int len, float scale, float shift, boolean relu) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (; i + L <= len; i += L) {
            // mul then add, not fma: the same rounding as the scalar path (and the unfused kernel)
            FloatVector v = FloatVector.fromArray(S, x, from + i).mul(scale).add(shift);
            if (relu) v = v.blend(zero, v.compare(VectorOperators.LT, 0f));
            v.intoArray(y, from + i);
        }
        for (; i < len; i++) {
            float v = x[from + i] * scale + shift;
            y[from + i] = relu && v < 0f ? 0f : v;
        }
    }

    /** dx = a g + b x + k with g = dy, or (y > 0 ? dy : 0) when {@code y} is given. */
    static void gradInput(float[] dy, float[] x, float[] y, float[] dx, int from, int len, float a, float b, float k) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, from + i);
            if (y != null) g = FloatVector.zero(S).blend(g, FloatVector.fromArray(S, y, from + i).compare(VectorOperators.GT, 0f));
            FloatVector xv = FloatVector.fromArray(S, x, from + i);
            g.mul(a).add(xv.mul(b)).add(k).intoArray(dx, from + i); // the scalar path's order and rounding
        }
        for (; i < len; i++) {
            float g = y != null && !(y[from + i] > 0f) ? 0f : dy[from + i];
            dx[from + i] = a * g + (b * x[from + i] + k);
        }
    }
}
