package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.wpunet.core.Backend;
import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.Rng;
import org.wpunet.core.Storage;
import org.wpunet.core.Tensor;

/**
 * The counter-based generator on the device against its definition in {@link Rng} (uniformFloat,
 * uniformDouble, normal), computed here in Java: uniforms and Bernoulli masks bit for bit in every
 * dtype; F32 normals to 1 ulp (the device evaluates Box-Muller's log and cos in double with its own
 * libm, then rounds to float, so a result may land on the other side of a rounding boundary); F64
 * normals to 16 ulps: CUDA's double log is within 1 ulp and cos within 2, Java's within 1 each, so
 * the two evaluations of sqrt(-2 log u1) * cos(2 pi u2) may differ by 2 ulps in log (1 after the
 * sqrt), 3 in cos and 1 in each final rounding: 6 * 2^-52 relative, at most 12 ulps of the result.
 */
public abstract class RandomConformance extends ConformanceSuite {

    private static final long SEED = 0x1234_5678_9ABCL;

    private Backend backend() { return Backends.get(device()); }

    private Object raw(Tensor t) {
        assertEquals(device(), t.device(), "random numbers are made on the device under test");
        return backend().toHost(t.storage(), t.layout());
    }

    private static void bits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", the generator gives " + want[i]);
            }
        }
    }

    private static void ulps(double[] want, double[] got, double ulps, boolean f32, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double u = f32 ? Math.ulp((float) want[i]) : Math.ulp(want[i]);
            if (!Double.isFinite(got[i]) || Math.abs(got[i] - want[i]) > ulps * u) {
                fail(what + ": element " + i + " is " + got[i] + ", the generator gives " + want[i] + " (" + ulps + " ulp allowed)");
            }
        }
    }

    @Test
    public void uniformF32IsBitExactAndDrawsAreConsecutive() {
        Rng rng = new Rng(SEED);
        rng.setCounter(99);
        float[] a = (float[]) raw(rng.uniform01(device(), DType.F32, 37, 29));
        float[] b = (float[]) raw(rng.uniform01(device(), DType.F32, 500));
        assertEquals(99 + 37 * 29 + 500, rng.counter(), "uniform advances the counter by numel");
        float[] wa = new float[a.length], wb = new float[b.length];
        for (int i = 0; i < wa.length; i++) wa[i] = Rng.uniformFloat(SEED, 99 + i);
        for (int i = 0; i < wb.length; i++) wb[i] = Rng.uniformFloat(SEED, 99 + wa.length + i);
        bits(wa, a, "uniform F32, first draw");
        bits(wb, b, "uniform F32, second draw");
    }

    @Test
    public void uniformInOtherDtypesIsBitExact() {
        int n = 1000;
        Rng rng = new Rng(SEED + 1);
        long c = rng.counter();
        double[] d = (double[]) raw(rng.uniform01(device(), DType.F64, n));
        for (int i = 0; i < n; i++) {
            if (Double.doubleToRawLongBits(d[i]) != Double.doubleToRawLongBits(Rng.uniformDouble(SEED + 1, c + i))) {
                fail("uniform F64: element " + i + " is " + d[i] + ", the generator gives " + Rng.uniformDouble(SEED + 1, c + i));
            }
        }
        for (DType h : new DType[]{DType.BF16, DType.F16}) {
            long hc = rng.counter();
            short[] got = (short[]) raw(rng.uniform01(device(), h, n));
            short[] want = new short[n];
            for (int i = 0; i < n; i++) {
                float f = (float) Rng.uniformDouble(SEED + 1, hc + i);
                want[i] = h == DType.BF16 ? DType.floatToBf16(f) : Float.floatToFloat16(f);
            }
            assertArrayEquals(want, got, "uniform " + h + " (bits)");
        }
    }

    @Test
    public void normalsWithinAnUlp() {
        int n = 2000;
        Rng rng = new Rng(SEED + 2);
        rng.setCounter(12_345);
        long c = rng.counter();
        float[] f = (float[]) raw(rng.standardNormal(device(), DType.F32, n));
        assertEquals(c + 2L * n, rng.counter(), "a normal draw uses two counters per element");
        double[] want = new double[n], got = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = (float) Rng.normal(SEED + 2, c, i);
            got[i] = f[i];
        }
        ulps(want, got, 1, true, "normal F32");

        long c2 = rng.counter();
        double[] d = (double[]) raw(rng.standardNormal(device(), DType.F64, n));
        double[] want64 = new double[n];
        for (int i = 0; i < n; i++) want64[i] = Rng.normal(SEED + 2, c2, i);
        ulps(want64, d, 16, false, "normal F64");

        // statistics, loosely: mean ~ 0 and variance ~ 1 for 2000 samples
        double m = 0, v = 0;
        for (double x : d) m += x;
        m /= n;
        for (double x : d) v += (x - m) * (x - m);
        v /= n - 1;
        if (Math.abs(m) > 0.15 || Math.abs(v - 1) > 0.15) fail("normal F64 sample mean " + m + ", variance " + v);
    }

    @Test
    public void bernoulliIsAThresholdedUniform() {
        double p = 0.37;
        Rng rng = new Rng(SEED + 3);
        rng.setCounter(7);
        Tensor mask = rng.bernoulli(device(), p, 40, 25);
        assertEquals(DType.U8, mask.dtype(), "bernoulli dtype");
        byte[] got = (byte[]) raw(mask);
        byte[] want = new byte[got.length];
        for (int i = 0; i < want.length; i++) want[i] = (byte) (Rng.uniformFloat(SEED + 3, 7 + i) < p ? 1 : 0);
        assertArrayEquals(want, got, "bernoulli(" + p + ")");
        assertEquals(7 + 1000, rng.counter());
    }

    @Test
    public void affineForms() {
        int n = 600;
        Rng rng = new Rng(SEED + 4);
        long c = rng.counter();
        Tensor u = rng.uniformIn(device(), DType.F32, -0.5, 1.5, n);
        // u * 2 is exact in float and one float addition is correctly rounded: bit exact
        float[] wu = new float[n];
        for (int i = 0; i < n; i++) wu[i] = (float) (Rng.uniformFloat(SEED + 4, c + i) * 2.0 - 0.5);
        bits(wu, (float[]) raw(u), "uniform(-0.5, 1.5)");

        long c2 = rng.counter();
        Tensor z = rng.normalWith(device(), DType.F32, 0.25, 2.0, n);
        double[] wz = new double[n];
        for (int i = 0; i < n; i++) wz[i] = (float) ((float) Rng.normal(SEED + 4, c2, i) * 2.0 + 0.25);
        // the unscaled normal may be 1 ulp off (see normalsWithinAnUlp): after * 2 + 0.25 that is an absolute error
        assertClose(z, Tensor.of(wz, n), 0, 4 * Math.ulp(8f), "normal(0.25, 2)");
    }

    @Test
    public void wholeNumberBoundsAreBoundsNotAShape() {
        // issue 16: uniform(dev, dt, 0, 1, 4, 4) used to bind 0, 1 to the shape and give an empty [0, 1, 4, 4] tensor
        Rng rng = new Rng(SEED + 5);
        try (Tensor u = rng.uniformIn(device(), DType.F32, 0, 1, 4, 4); Tensor z = rng.normalWith(device(), DType.F32, 0, 1, 4, 4)) {
            assertArrayEquals(new int[] {4, 4}, u.shape());
            assertArrayEquals(new int[] {4, 4}, z.shape());
        }
        assertThrows(IllegalArgumentException.class, () -> rng.uniformIn(device(), DType.F32, 1, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> rng.normalWith(device(), DType.F32, 0, -1, 4));
        assertThrows(IllegalArgumentException.class, () -> rng.normalWith(device(), DType.F32, Double.NaN, 1, 4));
    }

    @Test
    public void largeCountersAndManyElements() {
        int n = 100_003;
        long seed = -7, counter = (1L << 33) + 5;
        Storage s = backend().random(Rng.Distribution.UNIFORM, DType.F32, n, seed, counter);
        Tensor t = Tensor.wrap(s, Layout.contiguous(n));
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = Rng.uniformFloat(seed, counter + i);
        bits(want, (float[]) raw(t), "uniform F32 at counter 2^33 + 5");

        Tensor z = Tensor.wrap(backend().random(Rng.Distribution.NORMAL, DType.F32, 5000, seed, counter), Layout.contiguous(5000));
        float[] zf = (float[]) raw(z);
        double[] wz = new double[zf.length], gz = new double[zf.length];
        for (int i = 0; i < zf.length; i++) {
            wz[i] = (float) Rng.normal(seed, counter, i);
            gz[i] = zf[i];
        }
        ulps(wz, gz, 1, true, "normal F32 at counter 2^33 + 5");
    }
}
