package org.wpunet.train.data;

/**
 * A counter-based random stream: SplitMix64 (Steele, Lea, Flood 2014) started from a hash of
 * (seed, epoch, index, stream). Every sample owns its stream, so its draws depend on those numbers
 * only, never on which thread makes it or when.
 */
final class SampleRandom {
    /** The golden-ratio increment of SplitMix64. */
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** Stream tags: the per-sample augmentation stream and the per-epoch shuffle. */
    static final long SAMPLE = 1, SHUFFLE = 2;

    private long state;

    private SampleRandom(long state) { this.state = state; }

    /** SplitMix64's finaliser (a bijection of 64-bit values with good avalanche). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The stream of (seed, epoch, index, stream): each number is folded in through the finaliser. */
    static SampleRandom of(long seed, long epoch, long index, long stream) {
        long h = mix(seed + GAMMA);
        h = mix(h ^ mix(epoch + 2 * GAMMA));
        h = mix(h ^ mix(index + 3 * GAMMA));
        h = mix(h ^ mix(stream + 4 * GAMMA));
        return new SampleRandom(h);
    }

    long nextLong() {
        state += GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    boolean nextBoolean() { return nextLong() < 0; }

    /** Uniform in [0, bound): the high half of a 64-bit product (Lemire); bias below bound / 2^32. */
    int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** A uniform random permutation of 0..n-1 (Fisher-Yates). */
    int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
