package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;

/**
 * Base of the backend conformance suites: each test is written once against {@link #device()} and
 * run by one subclass per backend (core: the CPU; wpunet-cuda: cuda:0, tagged {@code gpu}). Inputs
 * are random (seeded: every test sees the same values on every backend and every run), made on
 * the CPU and copied to the device; references are the same ops on the CPU in float64.
 *
 * <p>Every tensor a test creates belongs to a {@link Scope} opened before and closed after it.
 * Methods are public because the subclasses live in other packages and modules.
 */
public abstract class ConformanceSuite {
    /** The device under test. */
    protected abstract Device device();

    /** Seeded per test (JUnit makes one instance per test method). */
    protected final SplittableRandom rnd = new SplittableRandom(0x5EED_C0DEL);

    private Scope scope;

    @BeforeEach
    public void openScope() { scope = Scope.open(); }

    @AfterEach
    public void closeScope() {
        if (scope != null) scope.close();
    }

    /** An input on the device under test and its float64 CPU reference, holding the same values. */
    public record Pair(Tensor dev, Tensor ref) {
        /** Applies the same view or op to both. */
        public Pair map(UnaryOperator<Tensor> f) { return new Pair(f.apply(dev), f.apply(ref)); }
    }

    /** A copy of a CPU tensor on the device under test (a copy even when that is the CPU: ops may write in place). */
    protected Tensor dev(Tensor cpu) {
        return device().isCpu() ? cpu.copy() : cpu.to(device());
    }

    /** The float64 CPU reference of a tensor (an exact upcast of every dtype). */
    protected static Tensor ref(Tensor t) { return t.to(Device.CPU, DType.F64); }

    /** A CPU tensor on the device (same dtype) and as its float64 reference. */
    protected Pair of(Tensor cpu) { return new Pair(dev(cpu), ref(cpu)); }

    /** Random non-zero F32 input: sign * U(0.1, 1). */
    protected Pair input(int... shape) { return of(Conformance.nonZeroTensor(rnd, shape)); }

    /** Random positive F32 input: U(0.1, 1). */
    protected Pair positiveInput(int... shape) { return of(Conformance.positiveTensor(rnd, shape)); }

    /** Random non-zero F32 input rounded to {@code dt} on the CPU (the reference holds the rounded values). */
    protected Pair input(DType dt, int... shape) { return of(Conformance.nonZeroTensor(rnd, shape).to(dt)); }

    /** Random non-zero I32 input in [-bound, bound]. */
    protected Pair intInput(int bound, int... shape) {
        return of(Tensor.of(Conformance.nonZeroInts(rnd, Conformance.numel(shape), bound), shape));
    }

    private void onDevice(Tensor actual, String what) {
        assertEquals(device(), actual.device(), () -> what + ": the result is not on the device under test");
    }

    /** See {@link Conformance#assertClose(Tensor, Tensor, double, String)}; also checks the result's device. */
    protected void assertClose(Tensor actual, Tensor reference, double rtol, String what) {
        onDevice(actual, what);
        Conformance.assertClose(actual, reference, rtol, what);
    }

    /** With an explicit absolute tolerance (0: purely relative). */
    protected void assertClose(Tensor actual, Tensor reference, double rtol, double atol, String what) {
        onDevice(actual, what);
        Conformance.assertClose(actual, reference, rtol, atol, what);
    }

    /** Exact values (the reference rounded to the result's dtype). */
    protected void assertSame(Tensor actual, Tensor reference, String what) {
        onDevice(actual, what);
        Conformance.assertSame(actual, reference, what);
    }

    /** NaN propagation: NaN exactly where the reference has NaN. */
    protected void assertCloseNaNAware(Tensor actual, Tensor reference, double rtol, String what) {
        onDevice(actual, what);
        Conformance.assertCloseNaNAware(actual, reference, rtol, what);
    }
}
