package org.wpunet.core;

/**
 * A seeded, counter-based random number generator. Element i of a draw is a pure function of
 * (seed, counter + i), so results are identical for any thread count and on any backend that
 * implements the same function; each draw advances the counter by the number of elements.
 *
 * <p>The function is SplitMix64's finaliser applied to seed-mixed counters: uniform floats use the
 * top 24 bits (doubles 53 bits); normals use Box-Muller on two uniforms from counters 2i and 2i+1.
 */
public final class Rng {
    public enum Distribution { UNIFORM, NORMAL }

    private final long seed;
    private long counter;

    public Rng(long seed) { this.seed = seed; }

    public long seed() { return seed; }

    /** Elements drawn so far (the next draw starts here). */
    public long counter() { return counter; }

    /** Restores a position (checkpoints save seed and counter). */
    public void setCounter(long c) { counter = c; }

    private long advance(int n, Distribution d) {
        long c = counter;
        counter += d == Distribution.NORMAL ? 2L * n : n;
        return c;
    }

    // The draws have distinct names on purpose: with overloads uniform(dev, dt, int... shape) and
    // uniform(dev, dt, double lo, double hi, int... shape), the call uniform(dev, dt, 0, 1, 4, 4) bound
    // its whole-number bounds to the shape and silently gave an empty [0, 1, 4, 4] tensor.

    /** U[0,1) samples of the given shape. */
    public Tensor uniform01(Device dev, DType dt, int... shape) {
        int n = Shapes.numel(shape);
        return Tensor.wrap(Backends.get(dev).random(Distribution.UNIFORM, dt, n, seed, advance(n, Distribution.UNIFORM)),
                Layout.contiguous(shape));
    }

    /** U[lo,hi) samples of the given shape; {@code lo <= hi}, both finite. */
    public Tensor uniformIn(Device dev, DType dt, double lo, double hi, int... shape) {
        if (!(lo <= hi) || !Double.isFinite(lo) || !Double.isFinite(hi))
            throw new IllegalArgumentException("uniformIn needs finite lo <= hi, got lo " + lo + ", hi " + hi);
        try (Tensor u = uniform01(dev, dt, shape); Tensor scaled = u.mul(hi - lo)) {   // both temporaries closed here
            return scaled.add(lo);
        }
    }

    /** N(0,1) samples of the given shape. */
    public Tensor standardNormal(Device dev, DType dt, int... shape) {
        int n = Shapes.numel(shape);
        return Tensor.wrap(Backends.get(dev).random(Distribution.NORMAL, dt, n, seed, advance(n, Distribution.NORMAL)),
                Layout.contiguous(shape));
    }

    /** N(mean, std^2) samples of the given shape; {@code std >= 0}, both finite. */
    public Tensor normalWith(Device dev, DType dt, double mean, double std, int... shape) {
        if (!(std >= 0) || !Double.isFinite(mean) || !Double.isFinite(std))
            throw new IllegalArgumentException("normalWith needs a finite mean and std >= 0, got mean " + mean + ", std " + std);
        try (Tensor z = standardNormal(dev, dt, shape); Tensor scaled = z.mul(std)) {   // both temporaries closed here
            return scaled.add(mean);
        }
    }

    /** U8 mask with P(1) = p. */
    public Tensor bernoulli(Device dev, double p, int... shape) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli probability must be in [0,1], got " + p);
        try (Tensor u = uniform01(dev, DType.F32, shape)) {
            return u.lt(p);
        }
    }

    /** A permutation of 0..n-1 (Fisher-Yates driven by this generator; CPU). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        long c = advance(n, Distribution.UNIFORM);
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (uniformDouble(seed, c + i) * (i + 1));
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }

    /** A uniform int in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be > 0, got " + bound);
        return (int) (uniformDouble(seed, advance(1, Distribution.UNIFORM)) * bound);
    }

    /** A uniform double in [0,1). */
    public double nextDouble() { return uniformDouble(seed, advance(1, Distribution.UNIFORM)); }

    // ---- the generator function, shared by all backends' reference implementations ----
    public static long mix(long seed, long counter) {
        long z = seed * 0x9E3779B97F4A7C15L + counter * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** U[0,1) float from the top 24 bits. */
    public static float uniformFloat(long seed, long counter) { return (mix(seed, counter) >>> 40) * 0x1.0p-24f; }

    public static double uniformDouble(long seed, long counter) { return (mix(seed, counter) >>> 11) * 0x1.0p-53; }

    /** N(0,1) by Box-Muller from counters 2i and 2i+1 (u1 shifted into (0,1] to avoid log 0). */
    public static double normal(long seed, long counterBase, long i) {
        double u1 = 1.0 - uniformDouble(seed, counterBase + 2 * i);
        double u2 = uniformDouble(seed, counterBase + 2 * i + 1);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
