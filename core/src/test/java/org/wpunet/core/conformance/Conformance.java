package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Tensor;

/**
 * Inputs, tolerances and the comparison of the backend conformance suites.
 *
 * <p>Every suite computes an op on the device under test and the same op on the CPU backend in
 * float64 (inputs upcast exactly, see {@link ConformanceSuite#of}); {@link #assertClose} then rounds
 * the reference to the result's dtype and compares element by element with
 * {@code |a - r| <= atol + rtol * |r|}. A NaN or infinity in the result fails unless the test asked
 * for NaN propagation and the reference has the NaN at the same place.
 *
 * <p>Tolerances (relative; for accumulations {@code atol = rtol * max|r|}, because with random signs
 * an element near zero is the cancellation of terms of the size of the largest ones):
 * <ul>
 *   <li>{@link #FP32} = 1e-5 for elementwise ops, conversions aside (those must be exact): a float
 *       result rounded once is within 2^-24 = 6e-8 of the float64 value, and a backend computing the
 *       op in float (a few roundings) is still far inside 1e-5;</li>
 *   <li>{@link #accumulation} for a sum of K products: a float sum in arbitrary order errs by about
 *       {@code sqrt(K) * eps32 * rms} for random signs (recursive summation: {@code K eps32 / sqrt(6)}
 *       times the rms term, against a largest result of about {@code 3.5 sqrt(K)} times it); we allow
 *       {@code 4 sqrt(K) eps32} of {@code max|r|}, which is tens of standard deviations, with a floor
 *       of 1e-5. A wrong index, a dropped term (every input is at least 0.1 in magnitude) or a missed
 *       bias moves a result by far more;</li>
 *   <li>{@link #TF32} = 2e-3: tensor cores round FP32 inputs to 10 mantissa bits (2^-11 relative
 *       each, 2^-10 with truncation), so a product errs by up to ~1e-3 relative, independently of K;</li>
 *   <li>{@link #BF16} = 1e-2: BF16 keeps 8 bits (2^-9 = 2e-3 relative rounding of the result).</li>
 * </ul>
 */
public final class Conformance {
    private Conformance() {}

    /** float's machine epsilon, 2^-23 (twice the unit roundoff). */
    public static final double EPS32 = 0x1p-23;
    /** Elementwise FP32 ops: relative, no absolute slack. */
    public static final double FP32 = 1e-5;
    /** TF32 tensor-core math in FP32 convolutions and GEMMs. */
    public static final double TF32 = 2e-3;
    /** BF16 inputs and results. */
    public static final double BF16 = 1e-2;

    /** Relative tolerance (of {@code max|r|} and of {@code |r|}) for float sums of {@code k} terms. */
    public static double accumulation(long k) { return Math.max(FP32, 4 * Math.sqrt(Math.max(1, k)) * EPS32); }

    // ------------------------------------------------------------------ random inputs

    /** Random non-zero values: sign * U(0.1, 1), so no input is zero or tiny. */
    public static float[] nonZero(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextBoolean() ? 1 : -1) * r.nextDouble(0.1, 1.0));
        return v;
    }

    /** Random positive values U(0.1, 1) (for log, sqrt, pow bases, variances). */
    public static float[] positive(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(0.1, 1.0);
        return v;
    }

    /** Random non-zero integers in [-bound, -1] and [1, bound]. */
    public static int[] nonZeroInts(SplittableRandom r, int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = (r.nextBoolean() ? 1 : -1) * r.nextInt(1, bound + 1);
        return v;
    }

    /** Random F32 tensor on the CPU with non-zero values ({@link #nonZero}). */
    public static Tensor nonZeroTensor(SplittableRandom r, int... shape) {
        return Tensor.of(nonZero(r, numel(shape)), shape);
    }

    /** Random positive F32 tensor on the CPU ({@link #positive}). */
    public static Tensor positiveTensor(SplittableRandom r, int... shape) {
        return Tensor.of(positive(r, numel(shape)), shape);
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    // ------------------------------------------------------------------ comparisons

    /** {@link #assertClose(Tensor, Tensor, double, double, String)} with {@code atol = rtol * max|reference|}. */
    public static void assertClose(Tensor actual, Tensor reference, double rtol, String what) {
        assertClose(actual, reference, rtol, Double.NaN, false, what);
    }

    /** Fails on any NaN/Inf in {@code actual} and on any element with {@code |a - r| > atol + rtol |r|}. */
    public static void assertClose(Tensor actual, Tensor reference, double rtol, double atol, String what) {
        assertClose(actual, reference, rtol, atol, false, what);
    }

    /** Exact equality of values (after rounding the reference to the result's dtype); NaN fails. */
    public static void assertSame(Tensor actual, Tensor reference, String what) {
        assertClose(actual, reference, 0, 0, false, what);
    }

    /**
     * Like {@link #assertClose(Tensor, Tensor, double, String)} for tests of NaN propagation: where the
     * reference is NaN the result must be NaN too (and where it is infinite, the same infinity);
     * elsewhere a NaN still fails.
     */
    public static void assertCloseNaNAware(Tensor actual, Tensor reference, double rtol, String what) {
        assertClose(actual, reference, rtol, Double.NaN, true, what);
    }

    /**
     * The comparison behind every assertion. The reference is rounded to the result's floating dtype
     * (F64 results compare with the F64 reference as is). {@code atol} NaN means {@code rtol * max|r|}.
     */
    public static void assertClose(Tensor actual, Tensor reference, double rtol, double atol, boolean nanAware, String what) {
        assertArrayEquals(reference.shape(), actual.shape(), () -> what + ": shape of the result");
        double[] a = actual.toDoubleArray();
        double[] r;
        DType dt = actual.dtype();
        if (dt.isFloating() && dt != DType.F64 && reference.dtype() != dt) {
            try (Tensor rr = reference.to(Device.CPU, dt)) {
                r = rr.toDoubleArray();
            }
        } else {
            r = reference.toDoubleArray();
        }
        String msg = compare(a, r, actual.shape(), rtol, atol, nanAware);
        if (msg != null) fail(what + " (" + dt + " on " + actual.device() + "): " + msg);
    }

    /**
     * Compares {@code a} with {@code r} (same length, row-major over {@code shape}); returns null when
     * they agree, else a message naming the number of bad elements and the worst one with its index
     * and both values.
     */
    public static String compare(double[] a, double[] r, int[] shape, double rtol, double atol, boolean nanAware) {
        if (a.length != r.length) return "length " + a.length + " != reference length " + r.length;
        double maxRef = 0;
        for (double v : r) if (Double.isFinite(v)) maxRef = Math.max(maxRef, Math.abs(v));
        double at = Double.isNaN(atol) ? rtol * maxRef : atol;
        int bad = 0, worst = -1, nonFinite = 0, firstNonFinite = -1;
        double worstRatio = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i], y = r[i];
            if (!Double.isFinite(y)) {
                if (!nanAware) {
                    return "the reference is " + y + " at " + index(i, shape)
                            + ": test inputs must keep references finite (or the test must check NaN propagation)";
                }
                boolean ok = Double.isNaN(y) ? Double.isNaN(x) : x == y;
                if (!ok) {
                    nonFinite++;
                    if (firstNonFinite < 0) firstNonFinite = i;
                }
                continue;
            }
            if (!Double.isFinite(x)) {
                nonFinite++;
                if (firstNonFinite < 0) firstNonFinite = i;
                continue;
            }
            double err = Math.abs(x - y), allowed = at + rtol * Math.abs(y);
            if (err > allowed) {
                bad++;
                double ratio = allowed > 0 ? err / allowed : Double.POSITIVE_INFINITY;
                if (worst < 0 || ratio > worstRatio) {
                    worst = i;
                    worstRatio = ratio;
                }
            }
        }
        if (nonFinite == 0 && bad == 0) return null;
        StringBuilder sb = new StringBuilder();
        if (nonFinite > 0) {
            sb.append(nonFinite).append(" of ").append(a.length).append(" elements are not finite where the reference is")
                    .append(" (or miss the reference's NaN/Inf); first at ").append(index(firstNonFinite, shape))
                    .append(": actual ").append(a[firstNonFinite]).append(", reference ").append(r[firstNonFinite]);
        }
        if (bad > 0) {
            if (sb.length() > 0) sb.append("; ");
            double err = Math.abs(a[worst] - r[worst]);
            sb.append(bad).append(" of ").append(a.length).append(" elements out of tolerance (rtol ").append(rtol)
                    .append(", atol ").append(at).append("); worst at ").append(index(worst, shape)).append(": actual ")
                    .append(a[worst]).append(", reference ").append(r[worst]).append(", |diff| ").append(err)
                    .append(" > allowed ").append(at + rtol * Math.abs(r[worst]));
        }
        return sb.toString();
    }

    /** "[i, j, k] (flat f)" for a row-major flat index. */
    static String index(int flat, int[] shape) {
        int[] m = new int[shape.length];
        int rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) break;
            m[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(m) + " (flat " + flat + ")";
    }
}
