package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Tensor;

/**
 * Sums, means, max/min, argmax/argmin (first of ties), variance and (log-)softmax over every dim
 * combination, on contiguous, transposed and broadcast inputs, long single-output reductions, integer
 * inputs and NaN propagation. Sums compare with {@link Conformance#accumulation}(number of reduced
 * elements); selections (max, min, arg*) must be exact.
 */
public abstract class ReductionConformance extends ConformanceSuite {

    /** Dim sets to reduce over a rank-3 tensor (sum() and friends without dims are checked separately). */
    static final int[][] DIMS = {{0}, {1}, {2}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};

    /** [4, 5, 30] as is, transposed to [4, 30, 5], and a [1, 5, 30] tensor expanded to [4, 5, 30]. */
    private List<Pair> inputs() {
        return List.of(input(4, 5, 30), input(4, 5, 30).map(t -> t.transpose(1, 2)), input(1, 5, 30).map(t -> t.expand(4, 5, 30)));
    }

    private static long reduced(int[] shape, int[] dims) {
        long k = 1;
        for (int d : dims) k *= shape[d < 0 ? d + shape.length : d];
        return k;
    }

    @Test
    public void sumAndMean() {
        for (Pair x : inputs()) {
            int[] s = x.dev().shape();
            String at = " of " + Arrays.toString(s) + (x.dev().isContiguous() ? "" : " (strided)");
            double all = Conformance.accumulation(x.dev().numel());
            assertClose(x.dev().sum(), x.ref().sum(), all, "sum()" + at);
            assertClose(x.dev().mean(), x.ref().mean(), all, "mean()" + at);
            for (int[] dims : DIMS) {
                double tol = Conformance.accumulation(reduced(s, dims));
                for (boolean keep : new boolean[]{false, true}) {
                    String what = Arrays.toString(dims) + " keepdim=" + keep + at;
                    assertClose(x.dev().sum(keep, dims), x.ref().sum(keep, dims), tol, "sum " + what);
                    assertClose(x.dev().mean(keep, dims), x.ref().mean(keep, dims), tol, "mean " + what);
                }
            }
        }
    }

    @Test
    public void maxAndMinAreExact() {
        for (Pair x : inputs()) {
            String at = " of " + Arrays.toString(x.dev().shape()) + (x.dev().isContiguous() ? "" : " (strided)");
            assertSame(x.dev().max(), x.ref().max(), "max()" + at);
            assertSame(x.dev().min(), x.ref().min(), "min()" + at);
            for (int[] dims : DIMS) {
                assertSame(x.dev().max(true, dims), x.ref().max(true, dims), "max " + Arrays.toString(dims) + at);
                assertSame(x.dev().min(false, dims), x.ref().min(false, dims), "min " + Arrays.toString(dims) + at);
            }
        }
    }

    /** Values on a coarse grid (+-0.125 .. +-0.625), so every row has ties; arg* must give the first. */
    private Pair tiedInput(int... shape) {
        float[] v = new float[Conformance.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (rnd.nextBoolean() ? 1 : -1) * 0.125f * rnd.nextInt(1, 6);
        return of(Tensor.of(v, shape));
    }

    /** First index of the max (or min) along dim of a row-major [a, b, c] array: an independent reference. */
    static int[] firstArg(double[] v, int[] s, int dim, boolean max) {
        int[] out = new int[v.length / s[dim]];
        int[] strides = {s[1] * s[2], s[2], 1};
        int o = 0;
        for (int i = 0; i < s[0]; i++) {
            for (int j = 0; j < s[1]; j++) {
                for (int k = 0; k < s[2]; k++) {
                    int[] m = {i, j, k};
                    if (m[dim] != 0) continue;
                    int best = 0;
                    double bv = v[i * strides[0] + j * strides[1] + k * strides[2]];
                    for (int t = 1; t < s[dim]; t++) {
                        double x = v[i * strides[0] + j * strides[1] + k * strides[2] + t * strides[dim]];
                        if (max ? x > bv : x < bv) { best = t; bv = x; }
                    }
                    out[o++] = best;
                }
            }
        }
        return out;
    }

    @Test
    public void argmaxAndArgminTakeTheFirstOfTies() {
        Pair x = tiedInput(6, 7, 8);
        Pair t = x.map(a -> a.permute(2, 0, 1)); // [8, 6, 7], strided
        for (Pair p : List.of(x, t)) {
            int[] s = p.dev().shape();
            double[] values = p.ref().toDoubleArray();
            for (int dim = 0; dim < 3; dim++) {
                String at = " dim " + dim + " of " + Arrays.toString(s) + (p.dev().isContiguous() ? "" : " (strided)");
                Tensor am = p.dev().argmax(dim, false), an = p.dev().argmin(dim, true);
                assertEquals(DType.I32, am.dtype(), "argmax dtype");
                assertSame(am, p.ref().argmax(dim, false), "argmax" + at);
                assertSame(an, p.ref().argmin(dim, true), "argmin" + at);
                assertArrayEquals(firstArg(values, s, dim, true), am.toIntArray(), "argmax (naive reference)" + at);
                assertArrayEquals(firstArg(values, s, dim, false), an.toIntArray(), "argmin (naive reference)" + at);
            }
        }
    }

    @Test
    public void longReductionsWithFewOutputs() {
        // few outputs over a long inner range: the CPU splits those into fixed parts, a GPU into blocks
        Pair x = input(2, 70_001);
        double tol = Conformance.accumulation(70_001);
        assertClose(x.dev().sum(false, 1), x.ref().sum(false, 1), tol, "sum over 70001");
        assertClose(x.dev().sum(), x.ref().sum(), Conformance.accumulation(140_002), "sum over 140002");
        assertSame(x.dev().max(false, 1), x.ref().max(false, 1), "max over 70001");
        assertSame(x.dev().argmin(1, false), x.ref().argmin(1, false), "argmin over 70001");
        Pair y = input(70_001, 3).map(t -> t.transpose(0, 1)); // strided inner
        assertClose(y.dev().sum(false, 1), y.ref().sum(false, 1), tol, "strided sum over 70001");
        assertSame(y.dev().argmax(1, true), y.ref().argmax(1, true), "strided argmax over 70001");
    }

    @Test
    public void variance() {
        for (Pair x : inputs()) {
            int[] s = x.dev().shape();
            for (int[] dims : DIMS) {
                double tol = Conformance.accumulation(reduced(s, dims));
                for (boolean unbiased : new boolean[]{false, true}) {
                    String what = "variance " + Arrays.toString(dims) + " unbiased=" + unbiased + " of " + Arrays.toString(s);
                    assertClose(x.dev().variance(unbiased, true, dims), x.ref().variance(unbiased, true, dims), tol, what);
                }
            }
        }
    }

    @Test
    public void softmaxAndLogSoftmax() {
        for (Pair x : inputs()) {
            int[] s = x.dev().shape();
            for (int dim = -1; dim < 3; dim++) {
                // exp and a sum over s[dim] values per row; the outputs are all of one sign
                double tol = Conformance.accumulation(s[dim < 0 ? dim + 3 : dim]);
                String at = " dim " + dim + " of " + Arrays.toString(s) + (x.dev().isContiguous() ? "" : " (strided)");
                assertClose(x.dev().softmax(dim), x.ref().softmax(dim), tol, "softmax" + at);
                assertClose(x.dev().logSoftmax(dim), x.ref().logSoftmax(dim), tol, "log_softmax" + at);
            }
        }
        // rows with a large spread: the max subtraction keeps exp finite
        Pair big = of(Conformance.nonZeroTensor(rnd, 3, 40).mul(60));
        assertClose(big.dev().softmax(1), big.ref().softmax(1), Conformance.accumulation(40), "softmax of +-60");
        assertClose(big.dev().logSoftmax(1), big.ref().logSoftmax(1), Conformance.accumulation(40), "log_softmax of +-60");
    }

    @Test
    public void integerInputs() {
        Pair a = intInput(1000, 5, 6, 7);
        Tensor s = a.dev().sum(false, 1);
        assertEquals(DType.I32, s.dtype(), "sum of I32");
        assertSame(s, a.ref().sum(false, 1), "sum of I32 over dim 1");
        assertSame(a.dev().sum(), a.ref().sum(), "sum() of I32");
        assertSame(a.dev().max(false, 0, 2), a.ref().max(false, 0, 2), "max of I32");
        assertSame(a.dev().argmin(2, false), a.ref().argmin(2, false), "argmin of I32");
        Tensor m = a.dev().mean(false, 2);
        assertEquals(DType.F32, m.dtype(), "mean of I32");
        assertClose(m, a.ref().mean(false, 2), Conformance.FP32, "mean of I32");

        byte[] u = new byte[60];
        for (int i = 0; i < u.length; i++) u[i] = (byte) rnd.nextInt(1, 256);
        Pair b = of(Tensor.ofBytes(u, 6, 10));
        Tensor us = b.dev().sum(false, 1);
        assertEquals(DType.I32, us.dtype(), "sum of U8");
        assertSame(us, b.ref().sum(false, 1), "sum of U8 (no wrap-around)");
        assertSame(b.dev().max(false, 0), b.ref().max(false, 0), "max of U8 (unsigned)");
    }

    @Test
    public void nanPropagatesThroughReductions() {
        float[] v = Conformance.nonZero(rnd, 5 * 12);
        v[7] = Float.NaN;   // row 0
        v[12 * 3 + 2] = Float.NaN; // row 3, and a second one later in the row
        v[12 * 3 + 9] = Float.NaN;
        Pair x = of(Tensor.of(v, 5, 12));
        assertCloseNaNAware(x.dev().sum(false, 1), x.ref().sum(false, 1), Conformance.accumulation(12), "sum with NaN");
        assertCloseNaNAware(x.dev().max(false, 1), x.ref().max(false, 1), 0, "max with NaN");
        assertCloseNaNAware(x.dev().min(false, 1), x.ref().min(false, 1), 0, "min with NaN");
        assertCloseNaNAware(x.dev().max(false, 0), x.ref().max(false, 0), 0, "max over dim 0 with NaN");
        // arg* point at the first NaN of a row
        assertSame(x.dev().argmax(1, false), x.ref().argmax(1, false), "argmax with NaN");
        assertSame(x.dev().argmin(1, false), x.ref().argmin(1, false), "argmin with NaN");
        int[] am = x.dev().argmax(1, false).toIntArray();
        assertEquals(7, am[0], "argmax of a row with NaN");
        assertEquals(2, am[3], "argmax of a row with two NaNs");
    }
}
