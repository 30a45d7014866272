package org.wpunet.data.synth;

import java.util.SplittableRandom;

/**
 * Deterministic randomness. Streams are keyed by (seed, purpose, index) so results do not depend on
 * thread count or evaluation order; {@link #hash} is a counter-based generator (SplitMix64 finaliser).
 */
final class Rand {
    private Rand() {}

    /** SplitMix64 finaliser: a bijective 64-bit mix with good avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long hash(long seed, long a, long b) {
        return withPrefix(prefix(seed, a), b);
    }

    /** The part of {@link #hash} that depends on (seed, a) only, for inner loops over b. */
    static long prefix(long seed, long a) { return mix(mix(seed + 0x9e3779b97f4a7c15L) ^ a); }

    static long withPrefix(long prefix, long b) { return mix(prefix + 0x632be59bd9b4e019L * b); }

    /** An independent stream for (seed, purpose, index). */
    static SplittableRandom stream(long seed, long purpose, long index) {
        return new SplittableRandom(hash(seed, purpose, index));
    }

    /** Uniform in [0, 1) from 53 bits of h. */
    static double unit(long h) { return (h >>> 11) * 0x1.0p-53; }

    static double gaussian(SplittableRandom r) {
        // Box-Muller written out so the sequence is fixed by this code, not by a JDK implementation
        double u = 1.0 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A standard normal deviate from the two 32-bit halves of one hash (Box-Muller). */
    static double gaussian(long h) {
        double u = ((h >>> 32) + 1) * 0x1.0p-32, v = (h & 0xffffffffL) * 0x1.0p-32;
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static int poisson(SplittableRandom r, double mean) {
        if (mean <= 0) return 0;
        if (mean > 50) return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * gaussian(r)));
        double l = Math.exp(-mean), p = 1;
        int k = 0;
        do { k++; p *= r.nextDouble(); } while (p > l);
        return k - 1;
    }
}
