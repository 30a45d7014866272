package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.wpunet.core.Tensor;

/** The suites' comparison itself: NaN never passes, tolerances mean what they say, messages locate the worst element. */
class ConformanceTest {
    private static final int[] SHAPE = {2, 3};

    @Test
    void nanAndInfinityInTheResultFail() {
        double[] r = {1, 2, 3, 4, 5, 6};
        assertNull(Conformance.compare(r.clone(), r, SHAPE, 1e-5, 0, false));
        double[] a = r.clone();
        a[4] = Double.NaN;
        String m = Conformance.compare(a, r, SHAPE, 1, 1e9, false); // no tolerance lets a NaN through
        assertNotNull(m);
        assertTrue(m.contains("[1, 1]") && m.contains("NaN"), m);
        a[4] = Double.POSITIVE_INFINITY;
        assertNotNull(Conformance.compare(a, r, SHAPE, 1, 1e9, false));
        assertNotNull(Conformance.compare(a, r, SHAPE, 1, 1e9, true), "NaN-aware still fails where the reference is finite");
    }

    @Test
    void nanInTheReferenceNeedsTheNaNAwareForm() {
        double[] r = {1, Double.NaN, 3, 4, 5, 6};
        double[] a = r.clone();
        assertNotNull(Conformance.compare(a, r, SHAPE, 1e-5, 0, false), "a NaN reference is a broken test input");
        assertNull(Conformance.compare(a, r, SHAPE, 1e-5, 0, true));
        a[1] = 2;
        String m = Conformance.compare(a, r, SHAPE, 1e-5, 0, true);
        assertNotNull(m, "a missing NaN fails");
        assertTrue(m.contains("[0, 1]"), m);
        double[] ri = {Double.NEGATIVE_INFINITY, 1, 1, 1, 1, 1}, ai = ri.clone();
        assertNull(Conformance.compare(ai, ri, SHAPE, 0, 0, true));
        ai[0] = Double.POSITIVE_INFINITY;
        assertNotNull(Conformance.compare(ai, ri, SHAPE, 0, 0, true), "the wrong infinity fails");
    }

    @Test
    void relativeAndScaledAbsoluteTolerance() {
        double[] r = {100, -0.01, 3, 4, 5, 6};
        double[] a = r.clone();
        a[1] += 5e-4; // 5e-4 off an element near zero: within rtol * max|r| = 1e-5 * 100
        assertNull(Conformance.compare(a, r, SHAPE, 1e-5, Double.NaN, false));
        assertNotNull(Conformance.compare(a, r, SHAPE, 1e-5, 0, false), "purely relative: 5% off fails");
        a[1] = r[1];
        a[0] = 100.003; // 3e-5 relative on the largest: more than atol + rtol |r| = 2e-3
        String m = Conformance.compare(a, r, SHAPE, 1e-5, Double.NaN, false);
        assertNotNull(m);
        assertTrue(m.contains("[0, 0]") && m.contains("100.003") && m.contains("1 of 6"), m);
    }

    @Test
    void worstElementIsReported() {
        double[] r = {1, 1, 1, 1, 1, 1}, a = {1, 1.1, 1, 1, 1.5, 1};
        String m = Conformance.compare(a, r, SHAPE, 1e-3, 0, false);
        assertTrue(m.contains("2 of 6") && m.contains("[1, 1]") && m.contains("1.5"), m);
    }

    @Test
    void tensorAssertionsRoundTheReferenceToTheResultDtype() {
        float[] v = Conformance.nonZero(new SplittableRandom(1), 6);
        try (Tensor f = Tensor.of(v, 2, 3); Tensor d = f.to(org.wpunet.core.DType.F64); Tensor exact = d.div(3).mul(3)) {
            Conformance.assertSame(f, d, "exact");
            try (Tensor off = f.add(1e-3)) {
                assertThrows(AssertionFailedError.class, () -> Conformance.assertClose(off, d, 1e-5, "off"));
            }
            Conformance.assertClose(f, exact, 1e-6, 0, "within one rounding");
        }
    }

    @Test
    void inputsAreBoundedAwayFromZero() {
        float[] v = Conformance.nonZero(new SplittableRandom(2), 10_000);
        int negative = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) >= 0.1f && Math.abs(x) < 1f, "value " + x);
            if (x < 0) negative++;
        }
        assertTrue(negative > 4000 && negative < 6000, "both signs: " + negative);
        assertTrue(Conformance.accumulation(1) == Conformance.FP32 && Conformance.accumulation(1 << 20) > 1e-4);
    }
}
