package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Naive float64 references and helpers for the core op tests. */
final class Ref {
    private Ref() {}

    static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble(-2, 2);
        return v;
    }

    static Tensor f32(double[] v, int... shape) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(f, shape);
    }

    /** Rounds through float so references see the same inputs as F32 tensors. */
    static double[] asFloat(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) v[i];
        return o;
    }

    static int[] multi(int linear, int[] shape) {
        int[] m = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            m[d] = linear % shape[d];
            linear /= shape[d];
        }
        return m;
    }

    static int lin(int[] m, int[] shape) {
        int o = 0;
        for (int d = 0; d < shape.length; d++) o = o * shape[d] + m[d];
        return o;
    }

    /** Value of a broadcast operand (row-major data of shape s) at an output multi-index. */
    static double bget(double[] data, int[] s, int[] outIdx) {
        int off = outIdx.length - s.length;
        int o = 0;
        for (int d = 0; d < s.length; d++) o = o * s[d] + (s[d] == 1 ? 0 : outIdx[d + off]);
        return data[o];
    }

    static double[] binary(double[] a, int[] as, double[] b, int[] bs, DoubleBinaryOperator f) {
        int[] out = Shapes.broadcast(as, bs);
        int n = Shapes.numel(out);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            int[] m = multi(i, out);
            r[i] = f.applyAsDouble(bget(a, as, m), bget(b, bs, m));
        }
        return r;
    }

    static double[] unary(double[] a, DoubleUnaryOperator f) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = f.applyAsDouble(a[i]);
        return r;
    }

    static void close(double[] expected, double[] actual, double rel, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (Double.isNaN(a) || Math.abs(e - a) > rel * Math.max(1, Math.abs(e))) {
                fail(what + ": element " + i + " expected " + e + " got " + a);
            }
        }
    }

    static void same(int[] expected, int[] actual) { assertArrayEquals(expected, actual); }
}
